/** Public surface of the journal: the store, its event catalogue, its Effect service, verification, client order ids and the instance lock. */
export * from './canonical.ts';
export * from './hashChain.ts';
export * from './Journal.ts';
export * from './events.ts';
export { Journal as JournalService, type JournalLayerOptions } from './JournalService.ts';
export * from './verify.ts';
export * from './clientOrderIds.ts';
export * from './instanceLock.ts';
export { APPEND_ONLY_MESSAGE, SCHEMA_VERSION } from './schema.ts';
