/**
 * The validation section of a backtest report (S1-10): what `--walk-forward`, `--monte-carlo`, `--shock` and
 * `--regimes` add to report.json and report.html, each present only when asked for. Pure types.
 */
import type { MonteCarloReport } from './monteCarlo.ts';
import type { RegimeReport } from './regimes.ts';
import type { ShockReport } from './shocks.ts';
import type { WalkForwardReport } from './walkForward.ts';

/** `report.validation`: the distributions the validation toolkit measured for this run. */
export interface ValidationReport {
  readonly walkForward?: WalkForwardReport | undefined;
  readonly monteCarlo?: MonteCarloReport | undefined;
  readonly shocks?: ShockReport | undefined;
  readonly regimes?: RegimeReport | undefined;
}
