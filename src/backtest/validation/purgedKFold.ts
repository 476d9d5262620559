/**
 * Purged k-fold cross-validation with an embargo (López de Prado, Advances in Financial Machine Learning, ch. 7) over
 * time-ordered samples, each with the span its label looks at ([start, end], epoch ms: a bar's start and the end of
 * its label horizon). The samples are cut into k contiguous test folds; a fold's train set is every other sample
 * except (a) the purged ones, whose label span overlaps the test window [first test start, last test end], and (b) the
 * embargoed ones, which start after the test window but no more than `embargoMs` after its end. So no train label
 * overlaps the test window and no train sample starts inside the embargo that follows it. Pure: index arithmetic.
 */
import { ValidationError } from './errors.ts';

/** One sample: when it is observed and when the outcome it is judged by is known (end ≥ start). */
export interface LabelSpan {
  readonly start: number;
  readonly end: number;
}

/** A half-open range of sample indices [from, to). */
export interface IndexRange {
  readonly from: number;
  readonly to: number;
}

/** One fold: its test range, its train set as contiguous ranges, and how many samples purging and the embargo removed. */
export interface Fold {
  /** 0-based fold number. */
  readonly index: number;
  readonly test: IndexRange;
  /** The time the test labels cover: first test start … last test end. */
  readonly testWindow: LabelSpan;
  /** The train samples, as maximal contiguous index ranges in order. */
  readonly train: ReadonlyArray<IndexRange>;
  /** Samples left out because their label span overlaps the test window. */
  readonly purged: number;
  /** Samples left out because they start within the embargo after the test window. */
  readonly embargoed: number;
}

/** Returns the k contiguous test ranges of n samples; the first n mod k are one sample longer. */
export const testRanges = (n: number, k: number): ReadonlyArray<IndexRange> => {
  const base = Math.floor(n / k);
  const extra = n % k;
  const out: IndexRange[] = [];
  let from = 0;
  for (let i = 0; i < k; i++) {
    const to = from + base + (i < extra ? 1 : 0);
    out.push({ from, to });
    from = to;
  }
  return out;
};

/** Returns the indices of a boolean mask's true runs as ranges. */
const runsOf = (keep: ReadonlyArray<boolean>): IndexRange[] => {
  const out: IndexRange[] = [];
  let start = -1;
  for (let i = 0; i <= keep.length; i++) {
    if (i < keep.length && keep[i]) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push({ from: start, to: i });
      start = -1;
    }
  }
  return out;
};

const check = (samples: ReadonlyArray<LabelSpan>, k: number, embargoMs: number): void => {
  if (!Number.isSafeInteger(k) || k < 2) throw new ValidationError({ reason: 'BadOption', detail: `k must be a whole number of at least 2, got ${String(k)}` });
  if (!(Number.isFinite(embargoMs) && embargoMs >= 0)) throw new ValidationError({ reason: 'BadOption', detail: `the embargo must be a non-negative duration, got ${String(embargoMs)} ms` });
  if (samples.length < k) throw new ValidationError({ reason: 'TooFewSamples', detail: `${String(samples.length)} samples cannot make ${String(k)} folds` });
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (!(s.end >= s.start)) throw new ValidationError({ reason: 'UnorderedSamples', detail: `sample ${String(i)}: its label ends (${String(s.end)}) before it starts (${String(s.start)})` });
    if (i > 0 && s.start < samples[i - 1]!.start) throw new ValidationError({ reason: 'UnorderedSamples', detail: `sample ${String(i)} starts before sample ${String(i - 1)}: samples must be in time order` });
  }
};

/** Returns the k folds of purged k-fold cross-validation with the given embargo; throws ValidationError on bad input. */
export const purgedKFold = (samples: ReadonlyArray<LabelSpan>, k: number, embargoMs: number): ReadonlyArray<Fold> => {
  check(samples, k, embargoMs);
  return testRanges(samples.length, k).map((test, index) => {
    const window: LabelSpan = {
      start: samples[test.from]!.start,
      end: samples.slice(test.from, test.to).reduce((m, s) => Math.max(m, s.end), -Infinity),
    };
    let purged = 0;
    let embargoed = 0;
    const keep = samples.map((s, i) => {
      if (i >= test.from && i < test.to) return false;
      if (s.start <= window.end && s.end >= window.start) {
        purged += 1;
        return false;
      }
      if (s.start > window.end && s.start <= window.end + embargoMs) {
        embargoed += 1;
        return false;
      }
      return true;
    });
    return { index, test, testWindow: window, train: runsOf(keep), purged, embargoed };
  });
};

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a duration such as `1d`, `12h`, `30m`, `90s`, `0` into milliseconds; throws ValidationError (BadSpec). */
export const parseDuration = (text: string, what: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (m === null || (m[2] === undefined && Number(m[1]) !== 0)) {
    throw new ValidationError({ reason: 'BadSpec', detail: `${what} ${JSON.stringify(text)}: expected a duration such as 1d, 12h, 30m or 0` });
  }
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1));
};
