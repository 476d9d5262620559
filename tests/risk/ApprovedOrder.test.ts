/**
 * `ApprovedOrder` is the only type the execution path accepts and only the RiskEngine can mint one (X-RT-5): a
 * compile-time check (the `@ts-expect-error` lines fail `tsc` if the forgery ever type-checks) and run-time checks.
 */
import { describe, expect, it } from 'vitest';
import { ApprovedOrder, decisionRecord, isApprovedOrder, makeRiskEngine, type ApprovedOrderFields } from '../../src/risk/RiskEngine.ts';
import { NOW, config, market, portfolio, proposal } from './fixtures.ts';

const approve = () => {
  const r = makeRiskEngine(config()).check(proposal(), portfolio(), market(), NOW);
  if (r.kind !== 'approve') throw new Error('fixture must approve');
  return r;
};

/** Stands in for the execution path's entry point: it accepts only ApprovedOrder. */
const submit = (order: ApprovedOrder): string => order.decisionId;

describe('ApprovedOrder', () => {
  it('X-RT-5 cannot be constructed or forged outside the risk module', () => {
    const fields: ApprovedOrderFields = { ...approve().order };
    const forge = (): void => {
      // @ts-expect-error the constructor is private to the RiskEngine module
      void new ApprovedOrder(Symbol('forged'), fields);
    };
    // Even with the types erased, the run-time key check refuses.
    expect(forge).toThrow(TypeError);
    // @ts-expect-error a plain object with the same fields lacks the private #issued brand
    const literal: ApprovedOrder = { ...fields };
    expect(isApprovedOrder(literal)).toBe(false);
    expect(isApprovedOrder(Object.create(ApprovedOrder.prototype))).toBe(false);
    // @ts-expect-error the execution path's signature rejects anything but a minted order
    submit(fields);
  });

  it('is minted by the engine, frozen, recognised at run time and journals as strings', () => {
    const r = approve();
    expect(isApprovedOrder(r.order)).toBe(true);
    expect(submit(r.order)).toBe(r.decisionId);
    expect(Object.isFrozen(r.order)).toBe(true);
    expect(() => {
      (r.order as unknown as { quantity: unknown }).quantity = 1;
    }).toThrow(TypeError);
    const rec = decisionRecord(r);
    expect(rec).toMatchObject({ kind: 'approve', decisionId: r.decisionId, dryRun: false });
    expect(JSON.parse(JSON.stringify(rec))).toMatchObject({ order: { quantity: '10', limitPrice: '100', reduceOnly: false, stopLoss: '98', leverage: '1' } });
  });

  it('X-LOG-8 a veto journals with veto_reason, cap_type, current, proposed and limit', () => {
    const r = makeRiskEngine(config({ caps: { allowDownscale: false } })).check(proposal({ notionalFraction: 0.06 as never }), portfolio(), market(), NOW);
    expect(decisionRecord(r)).toEqual({
      kind: 'veto',
      decisionId: r.decisionId,
      proposalId: 'p-1',
      rule: 'symbolCap',
      veto_reason: 'symbol_cap',
      cap_type: 'symbol',
      current: '0',
      proposed: '0.06',
      limit: '0.05',
      message: expect.any(String) as unknown,
    });
  });
});
