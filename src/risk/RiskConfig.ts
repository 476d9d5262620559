/**
 * The risk section's schema lives with the other config schemas in src/config/risk.ts (config owns every schema,
 * DESIGN §2); this module re-exports it for the risk rules.
 */
export * from '../config/risk.ts';
