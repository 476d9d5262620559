/**
 * JSON parsing with limits for untrusted text (venue frames, REST bodies, simulator requests): a size cap and a
 * nesting-depth cap checked by one linear scan before `JSON.parse`, so hostile input yields a typed failure instead
 * of a RangeError or an unbounded allocation. Pure; never throws.
 */

/** Why a text was refused. */
export type BoundedJsonFailure =
  | { readonly reason: 'too_large'; readonly detail: string }
  | { readonly reason: 'too_deep'; readonly detail: string }
  | { readonly reason: 'invalid_json'; readonly detail: string };

/** Limits of one parse. */
export interface BoundedJsonLimits {
  /** Largest accepted text in UTF-16 code units (default 4 MiB). */
  readonly maxLength?: number | undefined;
  /** Deepest accepted nesting of arrays and objects (default 64). */
  readonly maxDepth?: number | undefined;
}

/** The result of a parse: the value, or why it was refused. */
export type BoundedJsonResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly failure: BoundedJsonFailure };

/** Default size cap: far above any venue frame or REST body we read, far below what hurts the process. */
export const DEFAULT_MAX_JSON_LENGTH = 4 * 1024 * 1024;
/** Default depth cap: venue payloads nest at most 4–5 levels. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;

/** Returns the deepest nesting of `[`/`{` outside strings, stopping early once it exceeds `limit`. */
export const jsonDepth = (text: string, limit = Number.POSITIVE_INFINITY): number => {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return max;
};

/** Parses `text` as JSON within the limits; never throws. */
export const parseBoundedJson = (text: string, limits: BoundedJsonLimits = {}): BoundedJsonResult => {
  const maxLength = limits.maxLength ?? DEFAULT_MAX_JSON_LENGTH;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  if (typeof text !== 'string') return { ok: false, failure: { reason: 'invalid_json', detail: 'not text' } };
  if (text.length > maxLength) return { ok: false, failure: { reason: 'too_large', detail: `${text.length} characters, limit ${maxLength}` } };
  if (jsonDepth(text, maxDepth) > maxDepth) return { ok: false, failure: { reason: 'too_deep', detail: `nested deeper than ${maxDepth} levels` } };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, failure: { reason: 'invalid_json', detail: e instanceof Error ? e.message : String(e) } };
  }
};
