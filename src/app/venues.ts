/**
 * The venue binding registry: the one place in `src/app/` that names a venue. A binding ties a config section's `kind`
 * (its schema is owned by the adapter, `src/venues/<venue>/<Venue>Config.ts`) to the adapter that speaks the venue's
 * wire protocol, the simulator profile and façade that stand in for it, the documented simulator credentials, the
 * secrets a real endpoint needs, and what the runtime reads of the venue (capabilities, protection model, settle
 * asset, leverage). The session composes accounts through this table only, so a new venue adds one entry here and
 * edits no session, runtime or command code. Wires only; no I/O until a binding's function is called.
 */
import type { Telemetry } from '../kernel/telemetry.ts';
import { Redacted } from 'effect';
import { request } from 'undici';
import type { Decimal } from '../domain/money.ts';
import type { TriggerSource } from '../domain/orders.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Secrets } from '../config/secrets.ts';
import { decodeBybitConfig, type BybitAccountSection } from '../venues/bybit/BybitConfig.ts';
import { bybitCapabilities, makeBybitVenue } from '../venues/bybit/BybitVenue.ts';
import { endpointKindOf, type VenueAccountSection } from '../venues/accountSections.ts';
import { startBybitSim } from '../venues/sim/bybit/BybitSimServer.ts';
import { DEFAULT_SIM_API_KEYS, DEFAULT_SIM_FUNDING } from '../venues/sim/bybit/defaults.ts';
import { BYBIT_LINEAR_PROFILE } from '../venues/sim/bybit/profile.ts';
import type { SimExchange } from '../venues/sim/engine/types.ts';
import type { SimVenueProfile } from '../venues/sim/engine/profiles.ts';
import type { FaultPlan } from '../venues/sim/faults.ts';
import type { VenueCapabilities, WireVenue } from '../venues/Venue.ts';

/** An API key and secret, always Redacted (from the secrets gateway or the simulator's documented defaults). */
export interface Credentials {
  readonly apiKey: Redacted.Redacted<string>;
  readonly apiSecret: Redacted.Redacted<string>;
}

/** Where an account's adapter connects: a simulator (in-process or external) or a real endpoint (maybe overridden). */
export interface ConnectOptions {
  /** The base URL of a simulator façade or of the account's `endpoint` override; undefined: the environment's own. */
  readonly baseUrl: string | undefined;
  readonly credentials: Credentials;
  /** The clock that signs requests (accelerated for a replaying simulator). */
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** How many times faster than the wall the venue's clock runs (1 for a real venue). */
  readonly speed: number;
  /** The X-CLK-2 hysteresis gate, in venue milliseconds. */
  readonly clockGate: { readonly blockAboveMs: number; readonly resumeAtOrBelowMs: number };
  /** The session's metrics (REST round trips by endpoint); none when the operations server is off. */
  readonly telemetry?: Telemetry | undefined;
}

/** A simulator façade serving one venue's wire protocol over loopback, with the simulator's control surface. */
export interface FacadeServer {
  readonly url: string;
  /** What the façade counted (faults injected, frames sent, …). */
  counters(): object;
  /** The active fault plan, and its replacement. */
  faults(): FaultPlan;
  setFaults(plan: FaultPlan): void;
  /** Pauses or resumes the clock driver (as `POST /sim/control/pause` does). */
  setPaused(paused: boolean): unknown;
  isPaused(): boolean;
  /** Drops every websocket connection now; returns how many were dropped. */
  dropWebSockets(): number;
  close(): Promise<void>;
}

/** What a façade needs: the engine, the accounts it opens (key → sim account), faults and the clock it drives. */
export interface FacadeOptions {
  readonly exchange: SimExchange;
  readonly apiKeys: ReadonlyArray<{ readonly key: string; readonly secret: string; readonly account: string }>;
  readonly faults: FaultPlan | undefined;
  readonly logger?: ((line: object) => void) | undefined;
  readonly clock: Clock;
  readonly speed: number;
  /** Wall ms between two engine advances (default: the façade's). */
  readonly driveIntervalMs?: number | undefined;
  readonly seed: number;
  /** 0 or undefined: an ephemeral port. */
  readonly port?: number | undefined;
  /** The clock the venue's per-second limits count in (default the wall clock; venue time for a replay at speed). */
  readonly rateLimitClock?: Clock | undefined;
}

/** What the runtime and the session read of an account, whatever its venue. */
export interface AccountTrading {
  /** Leverage to set per symbol; undefined where the venue has none. */
  readonly leverage: Decimal | undefined;
  readonly triggerSource: TriggerSource;
  readonly settleAsset: string;
  readonly orderbookDepth: number;
  readonly requestTimeoutMs: number;
}

/** One venue's binding. */
export interface VenueBinding<S extends VenueAccountSection = VenueAccountSection> {
  readonly kind: S['kind'];
  /** How logs and progress lines name the venue. */
  readonly label: string;
  readonly capabilities: VenueCapabilities;
  /** The simulator's profile of this venue (instruments, fees, reject spelling, protection style). */
  readonly simProfile: SimVenueProfile;
  readonly trading: (section: S) => AccountTrading;
  /** The simulator URL of an account that trades on an external simulator ('' otherwise). */
  readonly simUrl: (section: S) => string;
  /** The simulator account an account trades (its `simAccount`, else its own name). */
  readonly simAccount: (section: S, accountName: string) => string;
  /** The documented credentials of a simulator account, when the simulator knows it without being told. */
  readonly simCredentials: (simAccount: string) => { readonly key: string; readonly secret: string } | undefined;
  /** Every documented simulator key (`tradewarden sim` opens these) and what each account starts with. */
  readonly simDefaults: { readonly apiKeys: ReadonlyArray<{ readonly key: string; readonly secret: string; readonly account: string }>; readonly funding: { readonly asset: string; readonly amount: string } };
  /** The names of the variables that hold a real endpoint's credentials. */
  readonly credentialVariables: (section: S) => { readonly apiKey: string; readonly apiSecret: string };
  /** The loopback URL that stands in for the environment's own, or undefined. */
  readonly endpointOverride: (section: S) => string | undefined;
  readonly connect: (section: S, opts: ConnectOptions) => WireVenue;
  readonly startFacade: (opts: FacadeOptions) => Promise<FacadeServer>;
  /** Reads a simulator's (or venue's) time over its public REST API. */
  readonly serverTime: (baseUrl: string, signal: AbortSignal | undefined) => Promise<number>;
}

const stripSlash = (url: string): string => url.replace(/\/+$/, '');

const bybitBinding: VenueBinding<BybitAccountSection> = {
  kind: 'bybit',
  label: 'Bybit v5 linear',
  capabilities: bybitCapabilities,
  simProfile: BYBIT_LINEAR_PROFILE,
  trading: (s) => ({ leverage: s.leverage, triggerSource: s.triggerSource, settleAsset: s.settleAsset, orderbookDepth: s.orderbookDepth, requestTimeoutMs: s.requestTimeoutMs }),
  simUrl: (s) => (s.environment === 'sim' ? s.simUrl.trim() : ''),
  simAccount: (s, name) => s.simAccount ?? name,
  simCredentials: (account) => DEFAULT_SIM_API_KEYS.find((k) => k.account === account),
  simDefaults: { apiKeys: DEFAULT_SIM_API_KEYS, funding: { asset: DEFAULT_SIM_FUNDING.coin, amount: DEFAULT_SIM_FUNDING.amount } },
  credentialVariables: (s) => ({ apiKey: `${s.envPrefix}_API_KEY`, apiSecret: `${s.envPrefix}_API_SECRET` }),
  endpointOverride: (s) => (s.endpoint.trim() === '' ? undefined : stripSlash(s.endpoint.trim())),
  connect: (s, o) => {
    const base = o.baseUrl === undefined ? undefined : stripSlash(o.baseUrl);
    const ws = base?.replace(/^http/, 'ws');
    return makeBybitVenue(
      decodeBybitConfig({
        environment: s.environment,
        ...(base === undefined ? {} : { baseUrl: base, wsPublicUrl: `${ws}/v5/public/linear`, wsPrivateUrl: `${ws}/v5/private` }),
        apiKey: o.credentials.apiKey,
        apiSecret: o.credentials.apiSecret,
        // At ×speed every wall millisecond of latency is `speed` venue milliseconds: widen the window to cover 250 ms.
        recvWindowMs: Math.max(s.recvWindowMs, Math.ceil(o.speed * 250)),
        requestTimeoutMs: s.requestTimeoutMs,
        triggerSource: s.triggerSource,
        settleCoin: s.settleAsset,
        clockGate: o.clockGate,
      }),
      { clock: o.clock, logger: o.logger, telemetry: o.telemetry },
    );
  },
  startFacade: async (o) => {
    return startBybitSim({
      exchange: o.exchange, port: o.port ?? 0, apiKeys: o.apiKeys, faults: o.faults, logger: o.logger, driveClock: true,
      // The façade's receive-window limit (one wall minute) and its per-second limits scale with the replay speed.
      clock: o.clock, speed: o.speed, driveIntervalMs: o.driveIntervalMs, seed: o.seed, rateLimitClock: o.rateLimitClock,
    });
  },
  serverTime: async (baseUrl, signal) => {
    const res = await request(`${stripSlash(baseUrl)}/v5/market/time`, { method: 'GET', signal, headersTimeout: 10_000, bodyTimeout: 10_000 });
    const body = (await res.body.json()) as { readonly time?: unknown };
    if (typeof body.time !== 'number') throw new Error(`${baseUrl} did not report its time`);
    return body.time;
  },
};

const BINDINGS: { readonly [K in VenueAccountSection['kind']]: VenueBinding<Extract<VenueAccountSection, { readonly kind: K }>> } = {
  bybit: bybitBinding,
};

/** Returns the binding of an account's section. */
export const bindingOf = (section: VenueAccountSection): VenueBinding => BINDINGS[section.kind];

/** Returns the binding of a venue kind by name (the `--venue` flag), or undefined for a kind no binding serves. */
export const bindingNamed = (kind: string): VenueBinding | undefined => (Object.hasOwn(BINDINGS, kind) ? BINDINGS[kind as VenueAccountSection['kind']] : undefined);

/** The venue kinds the registry serves, in registry order (the first is the default of the simulator commands). */
export const BOUND_VENUES: ReadonlyArray<VenueAccountSection['kind']> = Object.keys(BINDINGS) as Array<VenueAccountSection['kind']>;

/** Returns the sim credentials of a simulator account: the documented ones, else ones made from its name (in-process only). */
export const simCredentialsFor = (binding: VenueBinding, simAccount: string): { readonly key: string; readonly secret: string } =>
  binding.simCredentials(simAccount) ?? { key: `sim-key-${simAccount}`, secret: `sim-secret-${simAccount}` };

/** Why an account cannot get its credentials: the variables that would hold them are not set. */
export class MissingCredentials extends Error {
  override readonly name = 'MissingCredentials';
}

/**
 * Returns the credentials of an account: the simulator's documented ones (the `TW_SIM_API_KEY`/`SECRET` override for
 * sim account `main`), or for a real endpoint the Redacted values of its variables; throws MissingCredentials.
 */
export const credentialsFor = (accountName: string, section: VenueAccountSection, secrets: Secrets | undefined): Credentials => {
  const binding = bindingOf(section);
  if (endpointKindOf(section) === 'simulator') {
    const simAccount = binding.simAccount(section, accountName);
    const documented = simCredentialsFor(binding, simAccount);
    const key = simAccount === 'main' ? secrets?.get('TW_SIM_API_KEY') : undefined;
    const secret = simAccount === 'main' ? secrets?.get('TW_SIM_API_SECRET') : undefined;
    return { apiKey: key ?? Redacted.make(documented.key), apiSecret: secret ?? Redacted.make(documented.secret) };
  }
  const names = binding.credentialVariables(section);
  const apiKey = secrets?.get(names.apiKey);
  const apiSecret = secrets?.get(names.apiSecret);
  if (apiKey === undefined || apiSecret === undefined) {
    const missing = [apiKey === undefined ? names.apiKey : undefined, apiSecret === undefined ? names.apiSecret : undefined].filter((n) => n !== undefined);
    throw new MissingCredentials(`venue account ${accountName} (${binding.label} ${section.environment}) needs ${missing.join(' and ')} in the environment (.env); see .env.example`);
  }
  return { apiKey, apiSecret };
};
