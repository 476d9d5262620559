/**
 * The public surface of the S0 signal parser (issue 16 item 2): `parseSignal`, the leverage policy, the refusal
 * texts and the types. Intake (channel posts, webhook, replay) builds on these, and on the symbol registry (S0-15) for its instruments.
 * Pure apart from the registry, which lists instruments through the venue port.
 */
export { AUTO_SL_DISTANCE, AUTO_SL_LEVERAGE, autoStopLoss, DYNAMIC_MIN_LEVERAGE, FIXED_FORBIDDEN_BAND, leveragePolicy, SWING_LEVERAGE, type LeverageDecision, type LeverageInput } from './leverage.ts';
export { MAX_ENTRIES, MAX_TARGETS } from './lexer.ts';
export { MAX_LEVEL_DISTANCE, MAX_SIGNAL_LENGTH, parseSignal, rawTextHash } from './parseSignal.ts';
export { describeSymbolRefusal, missingMetadata, REQUIRED_METADATA, SymbolRegistry, type MetadataField, type RegistryRefresh, type SymbolLookup, type SymbolRefusalReason, type SymbolRegistryOptions } from './SymbolRegistry.ts';
export { excerptOf, refusalCode, refusalErrorFields, refusalReason, refusalText } from './refusalText.ts';
export * from './types.ts';
