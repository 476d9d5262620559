/** Public surface of the simulator's market-data replay: feeds, bar loading and the tick contract. */
export * from './MarketFeed.ts';
export * from './loadBarsCsv.ts';
export * from './barFeed.ts';
export * from './syntheticFeed.ts';
export { seededRandom, mixSeed, type SeededRandom } from './random.ts';
