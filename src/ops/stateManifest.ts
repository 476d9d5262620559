/**
 * The state files' contract as data (S4-8, S4-9, S4-13): one effect/Schema per surface under `<data-dir>/state/`, the
 * manifest that lists each surface with its owner, update frequency and schema, `validateSurface` for readers and
 * tests, and the additive-only rule (a field of a committed schema may never be removed, renamed or retyped). Times
 * are Unix seconds (C-14), money decimal strings. Pure; performs no I/O.
 */
import { Either, JSONSchema, ParseResult, Schema } from 'effect';

/** The version of the surfaces' schemas; bumped only together with a new committed fixture. */
export const STATE_SCHEMA_VERSION = 1;

/** Who writes the state files: the executor (the trading session) and nobody else. */
export const STATE_OWNER = 'executor';

/** A decimal string in plain notation (`"-12.5"`, never `1e-7`): money, prices, quantities, fractions. */
export const DecimalText = Schema.String.pipe(Schema.pattern(/^-?\d+(\.\d+)?$/)).annotations({ description: 'a decimal string (plain notation)' });

/** A time in whole Unix seconds (C-14): an epoch-ms value is out of range and refused. */
export const UnixSeconds = Schema.Number.pipe(Schema.int(), Schema.between(0, 9_999_999_999)).annotations({ description: 'Unix time in whole seconds' });

/** A duration in seconds (millisecond precision). */
export const Seconds = Schema.Number.pipe(Schema.nonNegative()).annotations({ description: 'a duration in seconds' });

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative());

/** The fields every surface opens with. */
const header = {
  schema_version: Schema.Literal(STATE_SCHEMA_VERSION),
  /** Wall time the file was written. */
  updated_ts: UnixSeconds,
  /** Session-clock time of the status the file was built from (virtual, accelerated or wall). */
  session_ts: UnixSeconds,
  run_id: Schema.String,
  profile: Schema.String,
  mode: Schema.String,
};

/** `nav_state.json`: NAV per account and in total, with its age and freshness (S4-2: 90 s). */
export const NavState = Schema.Struct({
  ...header,
  /** NAV (equity) over every account; null until every account's equity is known. */
  nav: Schema.NullOr(DecimalText),
  starting_balance: Schema.NullOr(DecimalText),
  accounts: Schema.Array(Schema.Struct({ account: Schema.String, equity: Schema.NullOr(DecimalText), starting_balance: Schema.NullOr(DecimalText) })),
  /** When the NAV was last refreshed: the wall time of the last decision cycle (balances are read before each). */
  nav_ts: Schema.NullOr(UnixSeconds),
  age_seconds: Schema.NullOr(Seconds),
  freshness_limit_seconds: Seconds,
  fresh: Schema.Boolean,
});

const PositionRow = Schema.Struct({
  account: Schema.String,
  symbol: Schema.String,
  side: Schema.String,
  qty: DecimalText,
  entry_price: DecimalText,
  mark_price: Schema.NullOr(DecimalText),
  unrealized_pnl: Schema.NullOr(DecimalText),
  tp: Schema.NullOr(DecimalText),
  sl: Schema.NullOr(DecimalText),
  protected: Schema.Boolean,
});

/** `positions_state.json`: the venue's open positions with mark, unrealized PnL and protection. */
export const PositionsState = Schema.Struct({ ...header, count: Count, positions: Schema.Array(PositionRow) });

/** One entry of the position ledger (S4-10). */
export const LedgerEntry = Schema.Struct({
  symbol: Schema.String,
  side: Schema.String,
  qty: DecimalText,
  entry_price: DecimalText,
  tp_sl: Schema.Struct({ tp: Schema.NullOr(DecimalText), sl: Schema.NullOr(DecimalText) }),
  strategy: Schema.NullOr(Schema.String),
  metadata: Schema.Struct({ account: Schema.String, protected: Schema.Boolean, mark_price: Schema.NullOr(DecimalText) }),
});

/** `positions_ledger.json` (S4-10): `{ entries, updated_ts, source }`, and the entries with neither TP nor SL. */
export const PositionsLedger = Schema.Struct({
  ...header,
  entries: Schema.Array(LedgerEntry),
  source: Schema.String,
  /** Symbols of the entries with neither TP nor SL (S4-10: reported). */
  unprotected: Schema.Array(Schema.String),
});

const KillSwitchRow = Schema.Struct({ engaged: Schema.Boolean, reason: Schema.NullOr(Schema.String), flatten: Schema.Boolean, source: Schema.NullOr(Schema.String) });

/** `risk_snapshot.json`: trading ON/OFF with the reasons, risk mode, kill switch, drawdown, gross exposure, gates. */
export const RiskSnapshot = Schema.Struct({
  ...header,
  trading_on: Schema.Boolean,
  reasons: Schema.Array(Schema.String),
  /** The most severe trading state over the accounts: `active`, `reducing` or `halted`. */
  risk_mode: Schema.String,
  kill_switch_engaged: Schema.Boolean,
  /** The fall from the session's equity peak as a fraction; null before the first equity point. */
  drawdown: Schema.NullOr(DecimalText),
  /** Σ |quantity| × (mark, else entry price) over the open positions. */
  gross_exposure: DecimalText,
  accounts: Schema.Array(Schema.Struct({
    account: Schema.String,
    trading_state: Schema.String,
    gate_open: Schema.Boolean,
    kill_switch: KillSwitchRow,
    broker_desync: Schema.Boolean,
    dependencies: Schema.Record({ key: Schema.String, value: Schema.Literal('up', 'down') }),
    symbol_gates: Schema.Array(Schema.Struct({ symbol: Schema.String, blocked: Schema.NullOr(Schema.String), quarantined: Schema.NullOr(Schema.String), paused: Schema.NullOr(Schema.String) })),
  })),
});

/** `kpis.json`: the session's counters and PnL. */
export const Kpis = Schema.Struct({
  ...header,
  counters: Schema.Struct({ proposals: Count, intents: Count, orders_sent: Count, fills: Count, trades: Count, wins: Count, losses: Count, restarts: Count }),
  /** wins / trades; null before the first closed trade. */
  win_rate: Schema.NullOr(DecimalText),
  pnl: Schema.Struct({ realized: DecimalText, fees: DecimalText, unrealized: DecimalText, equity: Schema.NullOr(DecimalText), daily_change: Schema.NullOr(DecimalText) }),
});

/** `router_health.json`: connections, orders sent, fills, rejects and working orders. */
export const RouterHealth = Schema.Struct({
  ...header,
  connections: Schema.Array(Schema.Struct({ account: Schema.String, stream: Schema.String, state: Schema.String, live: Schema.Boolean, sockets: Count, invalid_frames: Count })),
  connections_live: Count,
  connections_total: Count,
  orders_sent: Count,
  fills: Count,
  /** Venue rejects, when the session counts them (null: not known). */
  rejects: Schema.NullOr(Count),
  working_orders: Schema.Array(Schema.Struct({
    account: Schema.String, symbol: Schema.String, client_order_id: Schema.String, side: Schema.String, type: Schema.String,
    qty: DecimalText, price: Schema.NullOr(DecimalText), reduce_only: Schema.Boolean, state: Schema.String,
  })),
});

/** `diagnostics.json`: veto counters, alerts, liveness (the decision loop's heartbeat), phase, actors, strategies. */
export const Diagnostics = Schema.Struct({
  ...header,
  phase: Schema.String,
  version: Schema.String,
  commit: Schema.NullOr(Schema.String),
  vetoes: Schema.Record({ key: Schema.String, value: Count }),
  veto_total: Count,
  alerts: Schema.Array(Schema.String),
  liveness: Schema.Struct({
    heartbeat_cycles: Count,
    last_cycle_ts: Schema.NullOr(UnixSeconds),
    last_cycle_age_seconds: Schema.NullOr(Seconds),
    session_last_cycle_ts: Schema.NullOr(UnixSeconds),
  }),
  actors: Schema.Array(Schema.Struct({ account: Schema.String, symbol: Schema.String, state: Schema.String, control: Schema.String, stopped: Schema.Boolean })),
  strategies: Schema.Array(Schema.Struct({ id: Schema.String, enabled: Schema.Boolean })),
});

/** Every surface by name, with its schema. */
export const SURFACE_SCHEMAS = {
  nav_state: NavState,
  positions_state: PositionsState,
  positions_ledger: PositionsLedger,
  risk_snapshot: RiskSnapshot,
  kpis: Kpis,
  router_health: RouterHealth,
  diagnostics: Diagnostics,
} as const;

/** The name of a surface (its file is `<name>.json`). */
export type SurfaceName = keyof typeof SURFACE_SCHEMAS;

/** The surfaces in the order they are written and listed. */
export const SURFACE_NAMES = Object.keys(SURFACE_SCHEMAS) as ReadonlyArray<SurfaceName>;

/** A surface as written (the encoded side of its schema). */
export type Surface<N extends SurfaceName> = (typeof SURFACE_SCHEMAS)[N]['Encoded'];

/** Returns a surface's schema, widened (the surfaces differ in type; readers handle them alike). */
const schemaOf = (name: SurfaceName): Schema.Schema.AnyNoContext => SURFACE_SCHEMAS[name];

/** What each surface holds, for the manifest. */
const PURPOSE: Readonly<Record<SurfaceName, string>> = {
  nav_state: 'NAV (equity) per account and in total, its age and freshness',
  positions_state: 'open positions at the venue with mark price, unrealized PnL and protection',
  positions_ledger: 'the position ledger (S4-10): one entry per position with its TP/SL and strategy; entries without TP or SL listed',
  risk_snapshot: 'trading ON/OFF and why, trading state, kill switch, drawdown, gross exposure, gates and dependencies per account',
  kpis: 'session counters (proposals, orders, fills, trades, wins, losses) and PnL',
  router_health: 'connections, orders sent, fills, rejects and working orders',
  diagnostics: 'veto counters, alerts, liveness (decision-loop heartbeat), phase, actors and strategies',
};

/** Returns the file name of a surface. */
export const surfaceFile = (name: SurfaceName): string => `${name}.json`;

/** One surface's entry in the manifest. */
export interface ManifestEntry {
  readonly name: SurfaceName;
  readonly file: string;
  readonly owner: string;
  readonly frequency: string;
  readonly schema_version: number;
  readonly description: string;
  /** The surface's JSON Schema (draft-07), generated from its effect Schema. */
  readonly schema: unknown;
}

/** The manifest: what `manifest.json` holds besides its own `updated_ts`. */
export interface StateManifest {
  readonly schema_version: number;
  readonly owner: string;
  readonly surfaces: ReadonlyArray<ManifestEntry>;
}

/** Returns the manifest of the surfaces published every `everyMs` wall milliseconds (and at stop). */
export const stateManifest = (everyMs: number): StateManifest => ({
  schema_version: STATE_SCHEMA_VERSION,
  owner: STATE_OWNER,
  surfaces: SURFACE_NAMES.map((name) => ({
    name, file: surfaceFile(name), owner: STATE_OWNER, frequency: `every ${String(everyMs)} ms and at stop`,
    schema_version: STATE_SCHEMA_VERSION, description: PURPOSE[name], schema: JSONSchema.make(schemaOf(name)),
  })),
});

/** The manifest file's own schema. */
export const ManifestFile = Schema.Struct({
  schema_version: Schema.Literal(STATE_SCHEMA_VERSION),
  owner: Schema.Literal(STATE_OWNER),
  updated_ts: UnixSeconds,
  surfaces: Schema.Array(Schema.Struct({
    name: Schema.Literal(...SURFACE_NAMES), file: Schema.String, owner: Schema.String, frequency: Schema.String,
    schema_version: Schema.Number, description: Schema.String, schema: Schema.Unknown,
  })),
});

/** Returns whether `name` is a surface's name. */
export const isSurfaceName = (name: string): name is SurfaceName => Object.hasOwn(SURFACE_SCHEMAS, name);

/**
 * Validates a parsed surface against its schema; fields it does not know are allowed (a newer writer adds fields).
 * Returns the problems, one `path: message` line each, or an empty list.
 */
export const validateSurface = (name: string, json: unknown): ReadonlyArray<string> => {
  const schema: Schema.Schema.AnyNoContext | undefined = name === 'manifest' ? ManifestFile : isSurfaceName(name) ? schemaOf(name) : undefined;
  if (schema === undefined) return [`${name}: not a state surface (known: ${[...SURFACE_NAMES, 'manifest'].join(', ')})`];
  const decoded = Schema.decodeUnknownEither(schema, { errors: 'all', onExcessProperty: 'ignore' })(json);
  if (Either.isRight(decoded)) return [];
  return ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((i) => `${name}${i.path.map((p) => (typeof p === 'number' ? `[${String(p)}]` : `.${String(p)}`)).join('')}: ${i.message}`);
};

/** Field path → JSON type(s) (`accounts[].equity` → `null|string`; `vetoes{}` names a record's values). */
export type FieldTypes = Readonly<Record<string, string>>;

interface JsonSchemaNode {
  readonly type?: string | ReadonlyArray<string>;
  readonly anyOf?: ReadonlyArray<JsonSchemaNode>;
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly additionalProperties?: JsonSchemaNode | boolean;
  readonly items?: JsonSchemaNode;
  readonly enum?: ReadonlyArray<unknown>;
  readonly const?: unknown;
}

const typesOf = (node: JsonSchemaNode): string[] => {
  if (node.anyOf !== undefined) return node.anyOf.flatMap(typesOf);
  if (node.type !== undefined) return typeof node.type === 'string' ? [node.type] : [...node.type];
  const literal = node.const ?? node.enum?.[0];
  return literal === undefined ? ['unknown'] : [literal === null ? 'null' : typeof literal];
};

const walk = (node: JsonSchemaNode, path: string, out: Record<string, string>): void => {
  const branches = node.anyOf ?? [node];
  if (path !== '') out[path] = [...new Set(typesOf(node))].sort().join('|');
  for (const b of branches) {
    for (const [k, v] of Object.entries(b.properties ?? {})) walk(v, path === '' ? k : `${path}.${k}`, out);
    if (typeof b.additionalProperties === 'object') walk(b.additionalProperties, `${path}{}`, out);
    if (b.items !== undefined) walk(b.items, `${path}[]`, out);
  }
};

/** Returns every field path of a surface's schema with its JSON type(s): the list the additive rule compares. */
export const fieldTypes = (schema: Schema.Schema.AnyNoContext): FieldTypes => {
  const out: Record<string, string> = {};
  walk(JSONSchema.make(schema) as JsonSchemaNode, '', out);
  return out;
};

/** Returns every surface's field paths and types (what tests/fixtures/state-schema-v1.json commits). */
export const surfaceFieldTypes = (): Readonly<Record<SurfaceName, FieldTypes>> =>
  Object.fromEntries(SURFACE_NAMES.map((n) => [n, fieldTypes(schemaOf(n))])) as Record<SurfaceName, FieldTypes>;

/**
 * The additive rule (S4-9): every surface and field of `previous` must still exist with the same type in `current`;
 * new surfaces and fields are allowed. Returns one sentence per violation (a rename shows as a removal).
 */
export const additiveProblems = (previous: Readonly<Record<string, FieldTypes>>, current: Readonly<Record<string, FieldTypes>>): ReadonlyArray<string> => {
  const problems: string[] = [];
  for (const [surface, fields] of Object.entries(previous)) {
    const now = current[surface];
    if (now === undefined) {
      problems.push(`surface ${surface} was removed or renamed`);
      continue;
    }
    for (const [path, type] of Object.entries(fields)) {
      if (!(path in now)) problems.push(`${surface}: field ${path} was removed or renamed`);
      else if (now[path] !== type) problems.push(`${surface}: field ${path} changed type from ${type} to ${now[path]!}`);
    }
  }
  return problems;
};
