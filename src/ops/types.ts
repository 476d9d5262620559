/**
 * The operations surface's contract (issue 14, DESIGN §8): what a running session shows (the status read model),
 * what it streams (events), and what an operator may do to it (the control service). The HTTP server, the dashboard,
 * the state files and `tradewarden status` read only this; the session composition (src/app/operations.ts) builds it
 * from the runtimes' collaborators. Every figure of money is a decimal string; every time is epoch milliseconds of the
 * session clock (`at`) unless named `wall…`. Venue-neutral.
 */

/** One venue account's trading switches and gates. */
export interface AccountStatus {
  readonly name: string;
  /** The venue kind of the account (`bybit`, …) and where it points. */
  readonly kind: string;
  readonly endpoint: string;
  /** The account's trading gate (open once start-up recovery is done, closed while stopping). */
  readonly gateOpen: boolean;
  /** TradingState: `Normal`, `Reducing`, `Halted`. */
  readonly tradingState: string;
  readonly killSwitch: { readonly engaged: boolean; readonly reason: string | null; readonly flatten: boolean; readonly source: string | null };
  readonly brokerDesync: boolean;
  /** dependency → up/down (X-RSK-6): `venue_rest`, `venue_ws`, `journal`. */
  readonly dependencies: Readonly<Record<string, 'up' | 'down'>>;
  /** Symbols whose entries are blocked, quarantined or paused, with why. */
  readonly symbolGates: ReadonlyArray<{ readonly symbol: string; readonly blocked: string | null; readonly quarantined: string | null; readonly paused: string | null }>;
  readonly equity: string | null;
  readonly startingBalance: string | null;
  readonly journal: { readonly path: string; readonly lastSeq: number };
}

/** One connection host (public market data or private account stream) of an account. */
export interface ConnectionStatus {
  readonly account: string;
  readonly stream: 'public' | 'private';
  /** The connection actor's state (`open.live`, `reconnecting`, …). */
  readonly state: string;
  readonly live: boolean;
  /** Sockets opened so far (1 + reconnects). */
  readonly sockets: number;
  readonly invalidFrames: number;
}

/** One trade actor. */
export interface ActorStatus {
  readonly account: string;
  readonly symbol: string;
  /** The lifecycle region's state (`idle`, `working`, `opened.protected`, `closed.cooldown`, …). */
  readonly state: string;
  /** `running` or `halted` (the kill switch). */
  readonly control: string;
  readonly stopped: boolean;
}

/** One open position with its protection. */
export interface PositionStatus {
  readonly account: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: string;
  readonly entryPrice: string;
  readonly markPrice: string | null;
  readonly unrealizedPnl: string | null;
  readonly takeProfit: string | null;
  readonly stopLoss: string | null;
  /** A stop loss is set at the venue. */
  readonly protected: boolean;
}

/** One order the journal holds as live at the venue. */
export interface WorkingOrderStatus {
  readonly account: string;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: string;
  readonly type: string;
  readonly quantity: string;
  readonly price: string | null;
  readonly reduceOnly: boolean;
  /** The journal's order state (`REQUESTED`, `SENT`, `ACKED`, `PARTIALLY_FILLED`, …). */
  readonly state: string;
}

/** The session's phase. */
export type SessionPhase = 'starting' | 'recovering' | 'trading' | 'stopping' | 'stopped';

/** Everything `GET /status` answers (and the state files and `tradewarden status` show). */
export interface StatusView {
  /** Session clock (virtual, accelerated or wall) and the wall clock at the time the view was built. */
  readonly at: number;
  readonly wallAt: number;
  readonly runId: string;
  readonly profile: string;
  /** PAPER, DRY_RUN or LIVE. */
  readonly mode: string;
  /** `virtual`, `accelerated` or `wall`. */
  readonly clock: string;
  readonly version: string;
  readonly commit: string | null;
  readonly phase: SessionPhase;
  /** Trading is ON when every account's gate is open and nothing blocks entries session-wide; else the reasons. */
  readonly trading: { readonly on: boolean; readonly reasons: ReadonlyArray<string> };
  readonly accounts: ReadonlyArray<AccountStatus>;
  readonly connections: ReadonlyArray<ConnectionStatus>;
  readonly actors: ReadonlyArray<ActorStatus>;
  readonly positions: ReadonlyArray<PositionStatus>;
  readonly workingOrders: ReadonlyArray<WorkingOrderStatus>;
  /**
   * Session figures over every account (exact decimals): realized PnL of closed trades, fees, unrealized PnL of the open
   * positions, equity; `dailyChange` is the equity change since the trading day began (risk time zone), `drawdown` the
   * fall from the session's equity peak as a fraction (both null before the first equity point).
   */
  readonly pnl: {
    readonly realized: string;
    readonly fees: string;
    readonly unrealized: string;
    readonly equity: string | null;
    readonly dailyChange: string | null;
    readonly drawdown: string | null;
  };
  readonly counters: {
    readonly proposals: number;
    readonly intents: number;
    readonly ordersSent: number;
    readonly fills: number;
    readonly trades: number;
    readonly wins: number;
    readonly losses: number;
    readonly restarts: number;
  };
  /** Vetoes by reason since the start of the session. */
  readonly vetoes: Readonly<Record<string, number>>;
  readonly strategies: ReadonlyArray<{ readonly id: string; readonly enabled: boolean }>;
  /** Alert keys raised and not yet resolved. */
  readonly alerts: ReadonlyArray<string>;
  /** The decision loop's watchdog heartbeat: cycles run and the session time of the last one. */
  readonly heartbeat: { readonly cycles: number; readonly lastCycleAt: number | null; readonly wallLastCycleAt: number | null };
}

/** `GET /ready`: ready when trading is ON; else the reasons (503). */
export interface ReadyView {
  readonly ready: boolean;
  readonly reasons: ReadonlyArray<string>;
}

/** An event on `GET /events` (SSE): `id` increases by one per event of the session. */
export interface OpsEvent {
  readonly id: number;
  readonly kind: 'transition' | 'fill' | 'veto' | 'order' | 'alert' | 'control' | 'gate' | 'journal';
  readonly at: number;
  readonly account: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The session's event feed: a bounded ring of recent events and live subscribers. */
export interface OpsEvents {
  /** Events with `id > after` still in the ring (oldest first). */
  since(after: number): ReadonlyArray<OpsEvent>;
  /** Calls `listener` for every new event until the returned function is called. */
  subscribe(listener: (e: OpsEvent) => void): () => void;
}

/** One journal entry as `GET /journal` answers it. */
export interface JournalTailEntry {
  readonly seq: number;
  readonly ts: number;
  readonly stream: string;
  readonly type: string;
  readonly payload: unknown;
  readonly hash: string;
}

/** Who asks for a control action, and why (journaled with it). */
export interface ControlRequester {
  /** `api:<token fingerprint>`, `dashboard:<user>`, `telegram:<chat>`, `cli`. */
  readonly who: string;
  readonly reason: string;
}

/** What a control action did: `ok: false` with a sentence when it was refused or had nothing to do. */
export interface ControlOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly fields?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The one control service (the HTTP control routes and, later, the Telegram commands): each action is journaled
 * with who and why and goes through the kill switch or the RiskEngine's gates, never around them.
 */
export interface ControlService {
  /** Engages the kill switch on every account (entries halted, working orders cancelled; positions flattened if asked). */
  kill(req: ControlRequester & { readonly flatten: boolean }): Promise<ControlOutcome>;
  /** Clears the kill switch on every account. */
  resume(req: ControlRequester): Promise<ControlOutcome>;
  /** Closes the position of a symbol reduce-only (the actor's exit path). */
  flatten(symbol: string, req: ControlRequester): Promise<ControlOutcome>;
  /** Enables or disables a strategy's proposals (its open positions keep their protection). */
  setStrategyEnabled(id: string, enabled: boolean, req: ControlRequester): Promise<ControlOutcome>;
  /** Lifts a recovery (or operator) block on a symbol: entries judged by the RiskEngine again. */
  unblock(symbol: string, req: ControlRequester): Promise<ControlOutcome>;
}

/** What the operations surface reads from a running session. */
export interface OpsSource {
  status(): StatusView;
  ready(): ReadyView;
  /** Up to `limit` journal entries with `seq > after` of one account (the first account when absent). */
  journalTail(after: number, limit: number, account?: string): { readonly account: string; readonly entries: ReadonlyArray<JournalTailEntry> } | { readonly problem: string };
  readonly events: OpsEvents;
  readonly control: ControlService;
}

/** A signal message as the webhook delivered it (issue 16, S0-3); `postedAt` in ms, absent: when it was received. */
export interface WebhookSignal {
  readonly source: string;
  readonly messageId: string;
  readonly text: string;
  readonly postedAt: number | undefined;
}

/**
 * The running signal intake as the webhook route reaches it: `receive` journals the message (SIGNAL_RECEIVED) before
 * it is parsed and returns its outcome (`accepted`, `refused`, `duplicate`, `stale`, `governance_incomplete`).
 */
export interface SignalReceiver {
  receive(message: WebhookSignal): string;
}
