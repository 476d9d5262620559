/**
 * The schema of `GET /status` as a client relies on it (X-OBS-4): every field of src/ops/types.ts's StatusView with
 * its type, money and quantities as plain decimal strings, times as epoch milliseconds. Added fields pass (changes are
 * additive); a missing, renamed or retyped field fails. `statusProblems` lists every mismatch.
 */
import { Either, ParseResult, Schema } from 'effect';
import { DecimalText } from '../../src/ops/stateManifest.ts';

const Ms = Schema.Number.pipe(Schema.int(), Schema.nonNegative());
const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative());
const Text = Schema.String;
const Nullable = <A, I>(s: Schema.Schema<A, I>) => Schema.NullOr(s);

const AccountStatus = Schema.Struct({
  name: Text, kind: Text, endpoint: Text, gateOpen: Schema.Boolean, tradingState: Text,
  killSwitch: Schema.Struct({ engaged: Schema.Boolean, reason: Nullable(Text), flatten: Schema.Boolean, source: Nullable(Text) }),
  brokerDesync: Schema.Boolean,
  dependencies: Schema.Record({ key: Text, value: Schema.Literal('up', 'down') }),
  symbolGates: Schema.Array(Schema.Struct({ symbol: Text, blocked: Nullable(Text), quarantined: Nullable(Text), paused: Nullable(Text) })),
  equity: Nullable(DecimalText), startingBalance: Nullable(DecimalText),
  journal: Schema.Struct({ path: Text, lastSeq: Count }),
});

/** StatusView as served. */
export const StatusViewSchema = Schema.Struct({
  at: Ms, wallAt: Ms, runId: Text, profile: Text, mode: Text, clock: Text, version: Text, commit: Nullable(Text),
  phase: Schema.Literal('starting', 'recovering', 'trading', 'stopping', 'stopped'),
  trading: Schema.Struct({ on: Schema.Boolean, reasons: Schema.Array(Text) }),
  accounts: Schema.Array(AccountStatus),
  connections: Schema.Array(Schema.Struct({ account: Text, stream: Schema.Literal('public', 'private'), state: Text, live: Schema.Boolean, sockets: Count, invalidFrames: Count })),
  actors: Schema.Array(Schema.Struct({ account: Text, symbol: Text, state: Text, control: Text, stopped: Schema.Boolean })),
  positions: Schema.Array(Schema.Struct({
    account: Text, symbol: Text, side: Text, quantity: DecimalText, entryPrice: DecimalText, markPrice: Nullable(DecimalText), unrealizedPnl: Nullable(DecimalText),
    takeProfit: Nullable(DecimalText), stopLoss: Nullable(DecimalText), protected: Schema.Boolean,
  })),
  workingOrders: Schema.Array(Schema.Struct({
    account: Text, symbol: Text, clientOrderId: Text, side: Text, type: Text, quantity: DecimalText, price: Nullable(DecimalText), reduceOnly: Schema.Boolean, state: Text,
  })),
  pnl: Schema.Struct({ realized: DecimalText, fees: DecimalText, unrealized: DecimalText, equity: Nullable(DecimalText), dailyChange: Nullable(DecimalText), drawdown: Nullable(DecimalText) }),
  counters: Schema.Struct({ proposals: Count, intents: Count, ordersSent: Count, fills: Count, trades: Count, wins: Count, losses: Count, restarts: Count }),
  vetoes: Schema.Record({ key: Text, value: Count }),
  strategies: Schema.Array(Schema.Struct({ id: Text, enabled: Schema.Boolean })),
  alerts: Schema.Array(Text),
  heartbeat: Schema.Struct({ cycles: Count, lastCycleAt: Nullable(Ms), wallLastCycleAt: Nullable(Ms) }),
});

/** Returns every way `json` differs from the schema (empty when it conforms). */
export const statusProblems = (json: unknown): ReadonlyArray<string> => {
  const decoded = Schema.decodeUnknownEither(StatusViewSchema, { errors: 'all' })(json);
  if (Either.isRight(decoded)) return [];
  return ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((i) => `${i.path.join('.')}: ${i.message}`);
};
