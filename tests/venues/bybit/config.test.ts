/** BybitConfig decoding (defaults, Redacted credentials, bounds) and URL resolution per environment. */
import { inspect } from 'node:util';
import { Redacted } from 'effect';
import { describe, expect, it } from 'vitest';
import { decodeBybitConfig } from '../../../src/venues/bybit/BybitConfig.ts';
import { resolveBybitUrls } from '../../../src/venues/bybit/urls.ts';

const creds = { apiKey: Redacted.make('k'), apiSecret: Redacted.make('s') };

describe('BybitConfig', () => {
  it('fills the documented defaults: recvWindow 5000, timeout 5000, mark trigger, linear, 250/100 ms clock gate', () => {
    const c = decodeBybitConfig({ environment: 'mainnet', ...creds });
    expect([c.recvWindowMs, c.requestTimeoutMs, c.triggerSource, c.category, c.settleCoin]).toEqual([5000, 5000, 'mark', 'linear', 'USDT']);
    expect(c.clockGate).toEqual({ blockAboveMs: 250, resumeAtOrBelowMs: 100 });
    expect(c.rateLimits.order).toEqual({ burst: 10, perSecond: 10 });
  });

  it('keeps credentials Redacted: they never appear when the config is printed', () => {
    const c = decodeBybitConfig({ environment: 'testnet', apiKey: Redacted.make('AKIA-visible?'), apiSecret: Redacted.make('super-secret-value') });
    expect(Redacted.isRedacted(c.apiSecret)).toBe(true);
    expect(inspect(c, { depth: 5 })).not.toContain('super-secret-value');
    expect(JSON.stringify(c)).not.toContain('super-secret-value');
    expect(Redacted.value(c.apiSecret)).toBe('super-secret-value');
  });

  it('refuses plain-string credentials, bad environments and inverted clock-gate thresholds', () => {
    expect(() => decodeBybitConfig({ environment: 'mainnet', apiKey: 'plain', apiSecret: 'plain' })).toThrow();
    expect(() => decodeBybitConfig({ environment: 'prod', ...creds })).toThrow();
    expect(() => decodeBybitConfig({ environment: 'mainnet', ...creds, clockGate: { blockAboveMs: 100, resumeAtOrBelowMs: 250 } })).toThrow();
    expect(() => decodeBybitConfig({ environment: 'mainnet', ...creds, recvWindowMs: 0 })).toThrow();
  });
});

describe('resolveBybitUrls', () => {
  it('uses the documented hosts for mainnet and testnet', () => {
    expect(resolveBybitUrls(decodeBybitConfig({ environment: 'mainnet', ...creds }))).toEqual({
      rest: 'https://api.bybit.com',
      wsPublic: 'wss://stream.bybit.com/v5/public/linear',
      wsPrivate: 'wss://stream.bybit.com/v5/private',
    });
    expect(resolveBybitUrls(decodeBybitConfig({ environment: 'testnet', ...creds })).rest).toBe('https://api-testnet.bybit.com');
  });

  it('derives the simulator WS URLs from its base URL and requires a base URL for sim', () => {
    expect(resolveBybitUrls(decodeBybitConfig({ environment: 'sim', baseUrl: 'http://127.0.0.1:4321/', ...creds }))).toEqual({
      rest: 'http://127.0.0.1:4321',
      wsPublic: 'ws://127.0.0.1:4321/v5/public/linear',
      wsPrivate: 'ws://127.0.0.1:4321/v5/private',
    });
    expect(() => resolveBybitUrls(decodeBybitConfig({ environment: 'sim', ...creds }))).toThrow(/baseUrl/);
  });
});

describe('BybitVenueService layer', () => {
  it('provides the adapter as a service and closes it with the scope', async () => {
    const { Effect } = await import('effect');
    const { BybitVenueService } = await import('../../../src/venues/bybit/index.ts');
    const config = decodeBybitConfig({ environment: 'sim', baseUrl: 'http://127.0.0.1:9', ...creds });
    const id = await Effect.runPromise(
      Effect.scoped(Effect.map(BybitVenueService, (v) => `${v.id}:${String(v.capabilities.postOnly)}`)).pipe(
        Effect.provide(BybitVenueService.layer(config, { clock: { now: () => 0 } })),
      ),
    );
    expect(id).toBe('bybit:true');
  });
});
