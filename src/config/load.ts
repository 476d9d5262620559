/**
 * Loads a config file: YAML → plaintext-secret scan (X-SEC-3) → effect/Schema decode with every issue reported
 * (X-SEC-8) → config hash. Never throws: failures come back as ConfigError (exit 2) or SafetyRefusal (exit 3).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Either, ParseResult, Schema } from 'effect';
import { parseDocument } from 'yaml';
import { ConfigError, SafetyRefusal } from '../domain/errors.ts';
import { findPlaintextSecrets } from './secrets.ts';
import { AppConfig } from './schema.ts';

/** A decoded config and what was learned while decoding it. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: AppConfig;
  /** sha256 of the canonical JSON of the encoded config (X-OBS-5, X-SEC-11). */
  readonly hash: string;
  /** Key paths whose bare percent numbers (e.g. 5) were normalised to fractions (0.05), for `config_pct_normalized`. */
  readonly normalizedPercents: ReadonlyArray<string>;
}

/** Serialises JSON with object keys sorted, so equal configs hash equally. */
export const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

const formatPath = (path: ReadonlyArray<PropertyKey>): string => (path.length === 0 ? '(root)' : path.map(String).join('.'));

/** Decodes an already-parsed document; `file` is used in messages only. */
export const decodeConfig = (file: string, doc: unknown): Either.Either<LoadedConfig, ConfigError | SafetyRefusal> => {
  const secrets = findPlaintextSecrets(doc);
  if (secrets.length > 0) {
    return Either.left(
      new SafetyRefusal({
        code: 'plaintext_secret_in_config',
        detail: `${file} holds secret-shaped values at ${secrets.map((s) => `${s.path} (${s.why})`).join('; ')}. Put secrets in the environment (see .env.example) and remove them from the file.`,
      }),
    );
  }
  const decoded = Schema.decodeUnknownEither(AppConfig, { errors: 'all', onExcessProperty: 'error' })(doc ?? {});
  if (Either.isLeft(decoded)) {
    // Optional keys decode as `T | undefined`; the "Expected undefined" branch of that union is noise to a reader.
    const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
      .filter((i) => !i.message.startsWith('Expected undefined'))
      .map((i) => ({
        path: formatPath(i.path),
        message: i._tag === 'Unexpected' ? `unknown key (not in the schema; see config/example.yaml)` : i.message,
      }));
    // An optional-or-null key reports its `null` branch too; drop that line when the path has a real message.
    const meaningful = issues.filter((i) => !(i.message.startsWith('Expected null') && issues.some((j) => j.path === i.path && j !== i)));
    return Either.left(new ConfigError({ file, issues: mergeAlternatives(meaningful) }));
  }
  const config = decoded.right;
  const encoded = Schema.encodeSync(AppConfig)(config);
  const hash = createHash('sha256').update(sortedJson(encoded)).digest('hex');
  return Either.right({ file, config, hash, normalizedPercents: findNormalized(doc, encoded, []) });
};

const findNormalized = (raw: unknown, enc: unknown, path: string[]): string[] => {
  if (typeof raw === 'number' && typeof enc === 'number') return raw > 1 && raw <= 100 && Math.abs(enc - raw / 100) < 1e-12 ? [path.join('.')] : [];
  if (Array.isArray(raw) && Array.isArray(enc)) return raw.flatMap((r, i) => findNormalized(r, enc[i], [...path, String(i)]));
  if (raw !== null && typeof raw === 'object' && enc !== null && typeof enc === 'object') {
    return Object.entries(raw as Record<string, unknown>).flatMap(([k, v]) => findNormalized(v, (enc as Record<string, unknown>)[k], [...path, k]));
  }
  return [];
};

/** Merges the per-member messages of a literal union ("Expected "A", actual x" ×3) into one line per path. */
const mergeAlternatives = (issues: ReadonlyArray<{ path: string; message: string }>): Array<{ path: string; message: string }> => {
  const out: Array<{ path: string; message: string }> = [];
  for (const issue of issues) {
    const m = /^Expected (.+), actual (.+)$/.exec(issue.message);
    const prev = out[out.length - 1];
    const pm = prev === undefined ? null : /^Expected (.+), actual (.+)$/.exec(prev.message);
    if (m !== null && prev !== undefined && prev.path === issue.path && pm !== null && pm[2] === m[2]) {
      prev.message = `Expected ${pm[1] ?? ''} | ${m[1] ?? ''}, actual ${m[2] ?? ''}`;
    } else {
      out.push({ ...issue });
    }
  }
  return out;
};

/** Reads, parses and decodes a YAML config file. */
export const loadConfigFile = (file: string): Either.Either<LoadedConfig, ConfigError | SafetyRefusal> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return Either.left(new ConfigError({ file, issues: [{ path: '(file)', message: `cannot read: ${(e as Error).message}` }] }));
  }
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    return Either.left(
      new ConfigError({
        file,
        issues: document.errors.map((e) => ({ path: `(yaml line ${e.linePos?.[0]?.line ?? '?'})`, message: e.message.split('\n')[0] ?? e.message })),
      }),
    );
  }
  return decodeConfig(file, document.toJS());
};
