/**
 * The mode ladder and start gate (X-MOD-1/2/7, X-CLK-1, C-12): every refusal has its code and exit code 3.
 */
import { describe, expect, it } from 'vitest';
import { checkModeStart, modeSendsOrders, resolveModeAlias, type ModeStartInput } from '../../src/risk/modes.ts';

const base: ModeStartInput = {
  mode: 'LIVE',
  endpointKind: 'production',
  liveFlag: true,
  confirmationToken: 'BTC-7F3A',
  expectedToken: 'BTC-7F3A',
  clockOffsetMs: 20,
  clockGateMs: 100,
  gates: [{ name: 'ci_green', passed: true }],
};

const refused = (input: Partial<ModeStartInput>) => {
  const r = checkModeStart({ ...base, ...input });
  if (r.ok) throw new Error('expected a refusal');
  expect(r.exitCode).toBe(3);
  expect(r.message.length).toBeGreaterThan(10);
  return r.code;
};

describe('checkModeStart', () => {
  it('X-MOD-2 LIVE with config flag, gates and the typed token starts and sends orders', () => {
    expect(checkModeStart(base)).toEqual({ ok: true, mode: 'LIVE', sendsOrders: true });
  });

  it('X-MOD-2 LIVE without (or with a wrong) confirmation token is blocked', () => {
    expect(refused({ confirmationToken: undefined })).toBe('live_requires_confirmation');
    expect(refused({ confirmationToken: 'btc-7f3a' })).toBe('live_requires_confirmation');
    expect(refused({ confirmationToken: '', expectedToken: '' })).toBe('live_requires_confirmation');
  });

  it('X-MOD-2 LIVE needs the explicit config flag and every gate', () => {
    expect(refused({ liveFlag: false })).toBe('live_requires_config_flag');
    const r = checkModeStart({ ...base, gates: [{ name: 'ci_green', passed: true }, { name: 'paper_days', passed: false, detail: '3 of 7' }] });
    expect(r.ok === false && r.code).toBe('live_gates_failed');
    expect(r.ok === false && r.message).toContain('paper_days (3 of 7)');
  });

  it('X-MOD-7 PAPER may not use a production endpoint and LIVE may only use one', () => {
    expect(refused({ mode: 'PAPER', endpointKind: 'production' })).toBe('paper_requires_test_endpoint');
    expect(refused({ mode: 'LIVE', endpointKind: 'testnet' })).toBe('live_requires_production_endpoint');
    for (const endpointKind of ['simulator', 'testnet', 'demo'] as const) {
      expect(checkModeStart({ ...base, mode: 'PAPER', endpointKind, liveFlag: false, confirmationToken: undefined }).ok).toBe(true);
    }
  });

  it('X-CLK-1 refuses to start at an injected 150 ms offset (and at exactly 100 ms) with clock_gate_failed', () => {
    expect(refused({ clockOffsetMs: 150 })).toBe('clock_gate_failed');
    expect(refused({ mode: 'DRY_RUN', endpointKind: 'testnet', clockOffsetMs: -100 })).toBe('clock_gate_failed');
    expect(checkModeStart({ ...base, mode: 'DRY_RUN', endpointKind: 'testnet', clockOffsetMs: 99 }).ok).toBe(true);
  });

  it('X-MOD-1 X-MOD-7 DRY_RUN starts on a simulator or testnet endpoint, never sends orders, and is refused on production as check refuses it', () => {
    for (const endpointKind of ['simulator', 'testnet', 'demo'] as const) {
      expect(checkModeStart({ ...base, mode: 'DRY_RUN', endpointKind, liveFlag: false, gates: [] })).toEqual({ ok: true, mode: 'DRY_RUN', sendsOrders: false });
    }
    expect(checkModeStart({ ...base, mode: 'DRY_RUN', liveFlag: false, gates: [] })).toMatchObject({ ok: false, code: 'paper_requires_test_endpoint', exitCode: 3 });
    expect(modeSendsOrders('DRY_RUN')).toBe(false);
    expect(modeSendsOrders('PAPER')).toBe(true);
  });
});

describe('resolveModeAlias', () => {
  it('C-12 maps the profiles\' mode names onto DRY_RUN / PAPER / LIVE', () => {
    expect(resolveModeAlias('TEST_MODE')).toBe('PAPER');
    expect(resolveModeAlias('test')).toBe('PAPER');
    expect(resolveModeAlias('DEMO')).toBe('PAPER');
    expect(resolveModeAlias('testnet')).toBe('PAPER');
    expect(resolveModeAlias('PROD')).toBe('LIVE');
    expect(resolveModeAlias('dry-run')).toBe('DRY_RUN');
    expect(resolveModeAlias('LIVE')).toBe('LIVE');
    expect(resolveModeAlias('FAST')).toBeUndefined();
  });
});
