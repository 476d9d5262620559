/**
 * The one place a proposal becomes a sized, rounded candidate order (DESIGN §6: no other module sizes): notional =
 * NAV × min(notionalFraction × regime, per-trade cap, risk-per-trade budget ÷ stop fraction, every cap's headroom,
 * open-risk headroom ÷ stop fraction), quantity floored to the step at the worst-case price, limit rounded to the
 * tick for the side. Pure; performs no I/O.
 */
import { Decimal, ONE, ZERO, compareDec, decimalOf, gtDec, maxDec, minDec } from '../domain/money.ts';
import { floorQuantity, roundPriceForSide } from '../domain/rounding.ts';
import { regimeMultiplier, strategyBudgetFor, type RiskConfig } from './RiskConfig.ts';
import { aggregateFor, computeExposure, referencePrice } from './exposure.ts';
import { computeOpenRisk, notionalForRisk } from './capital.ts';
import { resolveLeverage } from './checks/leverage.ts';
import { oneMinus, onePlus } from './priceFactors.ts';
import type { CapUsage, CheckContext, Sizing } from './checks/types.ts';

/** Returns the per-symbol cap fraction: the symbol's tier cap when it has a tier, else maxPositionFraction. */
export const symbolCapFraction = (config: RiskConfig, symbol: string): number => {
  const tier = config.caps.symbolTiers[symbol];
  const tierCap = tier === undefined ? undefined : config.caps.tierCaps[tier];
  return tierCap ?? config.caps.maxPositionFraction;
};

/** Returns the group cap fraction: the group's own entry, else groupCapFraction. */
export const groupCapFraction = (config: RiskConfig, group: string): number => config.caps.groupCaps[group] ?? config.caps.groupCapFraction;

// NAV ÷ (1 + taker rate), the most an entry may ask for: the last quotient is kept, so a round of decisions on one NAV
// divides once (the same value and rate give the same quotient; only used with a positive NAV).
let reserved: { readonly nav: Decimal; readonly rate: number; readonly value: Decimal } | undefined;
const feeReserved = (nav: Decimal, rate: number): Decimal => {
  if (reserved === undefined || reserved.rate !== rate || (reserved.nav !== nav && !reserved.nav.eq(nav))) reserved = { nav, rate, value: nav.div(decimalOf(rate).plus(ONE)) };
  return reserved.value;
};

// NAV × a cap fraction × the regime's cap multiplier: the limits of the last NAV and multiplier are kept, so a round of
// decisions on one NAV multiplies once per cap (the same values give the same limit; a zero NAV is not kept).
let limits: { readonly nav: Decimal; readonly capM: Decimal; readonly byFraction: Map<number, Decimal> } | undefined;
const capLimit = (navFloor: Decimal, fraction: number, capM: Decimal): Decimal => {
  if (navFloor.isZero() || Object.is(fraction, -0)) return navFloor.times(decimalOf(fraction)).times(capM);
  if (limits === undefined || (limits.nav !== navFloor && !limits.nav.eq(navFloor)) || (limits.capM !== capM && !limits.capM.eq(capM))) {
    limits = { nav: navFloor, capM, byFraction: new Map() };
  }
  let limit = limits.byFraction.get(fraction);
  if (limit === undefined) {
    limit = navFloor.times(decimalOf(fraction)).times(capM);
    limits.byFraction.set(fraction, limit);
  }
  return limit;
};

/**
 * S0-7 `maker_join_ticks`: a post-only price that would take liquidity (a buy at or above the ask, a sell at or below
 * the bid) is moved to the maker side, `ticks` away from the taker level; any other price, or no `ticks`, is kept.
 */
export const makerJoined = (price: Decimal, side: 'buy' | 'sell', bid: Decimal, ask: Decimal, tick: Decimal, ticks: number | undefined): Decimal => {
  if (ticks === undefined) return price;
  const step = tick.times(ticks);
  if (side === 'buy') return price.gte(ask) ? ask.minus(step) : price;
  return price.lte(bid) ? bid.plus(step) : price;
};

/**
 * Sizes the proposal. Requires a two-sided quote and instrument (the gate rules guarantee both); for an exit, the
 * quantity is capped at the open position and no cap headroom applies.
 */
export const sizeProposal = (ctx: CheckContext): Sizing => {
  const { config, proposal, portfolio, market, symbolMarket, position, intent } = ctx;
  const instrument = symbolMarket?.instrument;
  const bid = symbolMarket?.bid;
  const ask = symbolMarket?.ask;
  if (instrument === undefined || bid === undefined || ask === undefined) throw new RangeError('sizeProposal needs an instrument and a two-sided quote');
  const side = proposal.side;
  const nav = portfolio.nav;
  const m = decimalOf(regimeMultiplier(config, market.regime));
  // Caps only ever tighten with the regime (a bull multiplier of 1.2 scales sizes, never the hard limits).
  const capM = minDec(m, ONE);

  const touch = side === 'buy' ? ask : bid;
  const offset = decimalOf(config.orders.limitOffsetFraction);
  // Without an offset the limit is the touch itself: × 1 would only round a touch longer than the house precision.
  const rawLimit =
    offset.isZero() && touch.sd() <= Decimal.precision ? touch : side === 'buy' ? touch.times(onePlus(offset)) : touch.times(oneMinus(offset));
  // A re-entry (S0-14) rests at its own level, the signal's OEP; every other entry at the passive limit by the touch.
  const fixedLimit = intent === 'entry' ? ctx.hints.postOnlyLimit : undefined;
  const limitPrice = fixedLimit === undefined
    ? roundPriceForSide(rawLimit, instrument.tickSize, side, 'passive')
    : makerJoined(roundPriceForSide(fixedLimit, instrument.tickSize, side, 'passive'), side, bid, ask, instrument.tickSize, ctx.hints.makerJoinTicks);
  // S0-7: a dual entry's second leg, rounded and kept on the maker side the same way.
  const second = intent === 'entry' && fixedLimit !== undefined ? ctx.hints.secondPostOnlyLimit : undefined;
  const secondLimitPrice = second === undefined ? undefined : makerJoined(roundPriceForSide(second, instrument.tickSize, side, 'passive'), side, bid, ask, instrument.tickSize, ctx.hints.makerJoinTicks);
  const ref = referencePrice(symbolMarket);
  const worstPrice = ref === undefined ? limitPrice : maxDec(limitPrice, ref);

  // A number's Decimal has at most 17 digits, so × 1 (the neutral regime) leaves it as it is.
  const fraction = decimalOf(proposal.notionalFraction);
  const wanted = minDec(compareDec(m, ONE) === 0 ? fraction : fraction.times(m), decimalOf(config.caps.maxTradeFraction));
  // An entry never asks for more than NAV less its own taker fee, so an all-in entry's notional plus fee fits the cash.
  const desiredNotional = gtDec(nav, ZERO) ? minDec(nav.times(wanted), intent === 'entry' ? feeReserved(nav, config.fees.takerRate) : nav) : ZERO;

  // The owner's incremental aggregate when the view carries one valued at this market (O(1)); else from the lists.
  const figures = aggregateFor(portfolio, market);
  const exposure = figures?.exposure ?? computeExposure(portfolio, market);
  const navFloor = maxDec(nav, ZERO);
  const usage = (current: Decimal, fraction: number): CapUsage => ({ current, limit: capLimit(navFloor, fraction, capM) });
  const strategy = usage(portfolio.strategies[proposal.strategyId]?.committedNotional ?? ZERO, strategyBudgetFor(config, proposal.strategyId).budgetFraction);
  const symbol = usage(exposure.bySymbol.get(proposal.symbol) ?? ZERO, symbolCapFraction(config, proposal.symbol));
  const groupName = portfolio.groups[proposal.symbol];
  const group = groupName === undefined ? undefined : { name: groupName, current: exposure.byGroup.get(groupName) ?? ZERO, limit: capLimit(navFloor, groupCapFraction(config, groupName), capM) };
  const total = usage(exposure.total, config.caps.maxTotalAtRiskFraction);
  const stopLossFraction = decimalOf(proposal.stopLossFraction === 0 ? config.leverage.autoStopLossFraction : proposal.stopLossFraction);
  // S2-4's stop-distance rules are off unless the profile sets them; their limits are NAV fractions, not regime-scaled
  // (the regime already scales the size the risk is measured on).
  const { riskPerTradeFraction, maxOpenRiskFraction } = config.capital;
  const riskPerTradeLimit = riskPerTradeFraction === null || intent !== 'entry' ? undefined : navFloor.times(decimalOf(riskPerTradeFraction));
  const openRiskSnapshot = maxOpenRiskFraction === null || intent !== 'entry' ? undefined : (figures?.openRisk ?? computeOpenRisk(portfolio, market));
  const openRisk =
    openRiskSnapshot === undefined || maxOpenRiskFraction === null
      ? undefined
      : { current: openRiskSnapshot.total, limit: navFloor.times(decimalOf(maxOpenRiskFraction)), unpriced: openRiskSnapshot.unpriced };

  let sizedNotional = desiredNotional;
  let quantity: Decimal;
  if (intent === 'exit' && position !== undefined) {
    quantity = minDec(floorQuantity(desiredNotional.div(worstPrice), instrument.quantityStep), floorQuantity(position.quantity.abs(), instrument.quantityStep));
  } else {
    // Risk per trade always sizes (like maxTradeFraction); it never scales a smaller proposal up.
    if (riskPerTradeLimit !== undefined) sizedNotional = minDec(sizedNotional, notionalForRisk(riskPerTradeLimit, stopLossFraction));
    if (config.caps.allowDownscale) {
      sizedNotional = minDec(sizedNotional, strategy.limit.minus(strategy.current));
      sizedNotional = minDec(sizedNotional, symbol.limit.minus(symbol.current));
      if (group !== undefined) sizedNotional = minDec(sizedNotional, group.limit.minus(group.current));
      sizedNotional = minDec(sizedNotional, total.limit.minus(total.current));
      if (openRisk !== undefined) sizedNotional = minDec(sizedNotional, notionalForRisk(openRisk.limit.minus(openRisk.current), stopLossFraction));
    }
    sizedNotional = maxDec(sizedNotional, ZERO);
    quantity = floorQuantity(sizedNotional.div(worstPrice), instrument.quantityStep);
  }
  if (quantity.isNeg()) quantity = ZERO;
  const orderNotional = quantity.times(limitPrice);
  const riskPerUnit = worstPrice.times(stopLossFraction);

  return {
    side,
    limitPrice,
    worstPrice,
    regimeMultiplier: m,
    desiredNotional,
    sizedNotional,
    quantity,
    secondLimitPrice,
    orderNotional,
    // The worst price is the limit itself unless the reference is above it.
    exposureAdd: worstPrice === limitPrice ? orderNotional : quantity.times(worstPrice),
    exposure,
    strategy,
    symbol,
    group,
    total,
    leverage: resolveLeverage(config.leverage, proposal, instrument, ctx.hints),
    stopLossFraction,
    takeProfitFraction: decimalOf(proposal.takeProfitFraction),
    riskPerUnit,
    riskAdd: quantity.times(riskPerUnit),
    riskPerTradeLimit,
    openRisk,
  };
};
