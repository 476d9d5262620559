/**
 * The instruments the built-in simulator lists: the one catalogue the paper runs, the loopback run and the config
 * preflight share. Pure; performs no I/O.
 */
import type { Instrument } from '../../domain/Instrument.ts';
import { bybitLinearInstrument } from './engine/instruments.ts';

/** The symbols the simulator can list, in the order the bundled demo trades them. */
export const SIM_SYMBOLS = ['BTCUSDT', 'ADAUSDT'] as const;
export type SimSymbol = (typeof SIM_SYMBOLS)[number];

const isSimSymbol = (symbol: string): symbol is SimSymbol => (SIM_SYMBOLS as ReadonlyArray<string>).includes(symbol);

/** Returns the simulator's instrument for a symbol, or undefined when the simulator does not list it. */
export const simInstrument = (symbol: string): Instrument | undefined => (isSimSymbol(symbol) ? bybitLinearInstrument(symbol) : undefined);
