/**
 * An example user strategy (docs/backtesting.md, "Writing your own strategy"): RSI mean reversion, long only. On each
 * new closed bar of a symbol it computes the RSI of the last `period` closes; below `oversold` while the symbol is flat
 * it proposes a buy, above `overbought` while it holds its own long it proposes the exit. It reads its feedback: after
 * one of its entries is vetoed on a symbol, it waits `backoffBars` bars before proposing there again.
 *
 * Run it: node dist/main.js backtest --config config/backtests/sma-cross-spy.yaml \
 *           --strategy-path examples/strategies --strategy rsi-reversion --param period=10 --out var/bt-rsi
 *
 * A module of a --strategy-path directory is loaded by Node as it is (types stripped), so it imports types only.
 */
import type { MarketSnapshot } from '../../src/market/MarketState.ts';
import type { UserProposal, UserStrategyDefinition } from '../../src/strategies/userStrategy.ts';

type Params = {
  readonly period: number;
  readonly oversold: number;
  readonly overbought: number;
  readonly notionalFraction: number;
  readonly stopLossFraction: number;
  readonly takeProfitFraction: number;
  readonly backoffBars: number;
};

/** Per symbol: the start of the last bar judged. */
type State = { readonly lastBarStart: Readonly<Record<string, number>> };

/** RSI with simple averages of the gains and losses of the last `period` changes (0…100; 100 without losses). */
const rsi = (closes: ReadonlyArray<number>, period: number): number => {
  let gains = 0;
  let losses = 0;
  for (let i = closes.length - period; i < closes.length; i++) {
    const change = closes[i]! - closes[i - 1]!;
    if (change > 0) gains += change;
    else losses -= change;
  }
  return losses === 0 ? 100 : 100 - 100 / (1 + gains / losses);
};

const fraction = (n: number): boolean => Number.isFinite(n) && n > 0 && n <= 1;

const definition: UserStrategyDefinition<Params, State> = {
  id: 'rsi-reversion',
  summary: 'RSI mean reversion on closes, long only (the example user strategy)',
  defaults: { period: 14, oversold: 30, overbought: 70, notionalFraction: 1, stopLossFraction: 0.2, takeProfitFraction: 0.3, backoffBars: 5 },
  validate: (p) => [
    ...(Number.isInteger(p.period) && p.period >= 2 && p.period <= 500 ? [] : [`period must be an integer in [2, 500], got ${p.period}`]),
    ...(p.oversold > 0 && p.oversold < p.overbought && p.overbought < 100 ? [] : [`need 0 < oversold (${p.oversold}) < overbought (${p.overbought}) < 100`]),
    ...(fraction(p.notionalFraction) ? [] : [`notionalFraction must be in (0, 1], got ${p.notionalFraction}`]),
    ...(fraction(p.stopLossFraction) && p.stopLossFraction <= 0.5 ? [] : [`stopLossFraction must be in (0, 0.5], got ${p.stopLossFraction}`]),
    ...(fraction(p.takeProfitFraction) && p.takeProfitFraction <= 0.5 ? [] : [`takeProfitFraction must be in (0, 0.5], got ${p.takeProfitFraction}`]),
    ...(Number.isInteger(p.backoffBars) && p.backoffBars >= 0 ? [] : [`backoffBars must be a whole number of bars, got ${p.backoffBars}`]),
  ],
  create: (p, ctx) => ({
    init: () => ({ lastBarStart: {} }),
    propose: (snapshot: MarketSnapshot, state: State) => {
      const proposals: UserProposal[] = [];
      let lastBarStart = state.lastBarStart;
      for (const symbol of [...snapshot.symbols.keys()].sort()) {
        const bars = snapshot.symbols.get(symbol)?.bars ?? [];
        const bar = bars[bars.length - 1];
        if (bar === undefined || lastBarStart[symbol] === bar.start) continue;
        lastBarStart = { ...lastBarStart, [symbol]: bar.start };
        if (bars.length < p.period + 1) continue;
        const value = rsi(bars.slice(bars.length - p.period - 1).map((b) => b.close.toNumber()), p.period);
        const held = snapshot.positions?.get(symbol);
        if (value < p.oversold && held === undefined) {
          // Feedback: back off a symbol for a while after one of this strategy's entries there was refused.
          const barMs = bar.start - bars[bars.length - 2]!.start;
          const refused = snapshot.feedback?.vetoes.some((v) => v.symbol === symbol && v.side === 'buy' && snapshot.now - v.ts < p.backoffBars * barMs) ?? false;
          if (refused) continue;
          proposals.push({
            proposalId: `${ctx.id}-${symbol}-${bar.start}`, symbol, side: 'buy', instrumentKind: 'spot',
            notionalFraction: p.notionalFraction, stopLossFraction: p.stopLossFraction, takeProfitFraction: p.takeProfitFraction,
          });
        } else if (value > p.overbought && held?.side === 'long' && held.strategyId === ctx.id) {
          proposals.push({
            proposalId: `${ctx.id}-${symbol}-${bar.start}`, symbol, side: 'sell', instrumentKind: 'spot',
            notionalFraction: 1, stopLossFraction: p.stopLossFraction, takeProfitFraction: p.takeProfitFraction,
          });
        }
      }
      return { proposals, state: { lastBarStart } };
    },
  }),
};

export default definition;
