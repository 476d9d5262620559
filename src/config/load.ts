/**
 * Loads a config file: bounded read → YAML within limits (parseConfigYaml.ts) → plaintext-secret scan (X-SEC-3) →
 * finite-number check → effect/Schema decode with every issue reported (X-SEC-8) → config hash. Never throws:
 * failures come back as ConfigError (exit 2) or SafetyRefusal (exit 3), one readable line per problem.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Either, ParseResult, Schema } from 'effect';
import { ConfigError, SafetyRefusal } from '../domain/errors.ts';
import { unusableNumber } from '../domain/schemas.ts';
import { CONFIG_YAML_LIMITS, parseConfigYaml, type ShadowedValue, type YamlIssue } from './parseConfigYaml.ts';
import { findPlaintextSecrets } from './secrets.ts';
import { AppConfig } from './schema.ts';
import { endpointKindOf } from '../venues/accountSections.ts';

/** A decoded config and its hash. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: AppConfig;
  /** sha256 of the canonical JSON of the encoded config (X-OBS-5, X-SEC-11). */
  readonly hash: string;
}

/** Serialises JSON with object keys sorted, so equal configs hash equally. */
export const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

const formatPath = (path: ReadonlyArray<PropertyKey>): string => (path.length === 0 ? '(root)' : path.map(String).join('.'));

/** Longest message line a ConfigError carries; longer ones (a huge "actual" value) are cut. */
const MAX_MESSAGE = 300;
const oneLine = (message: string): string => {
  const flat = message.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
};

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? 'a string' : `a ${typeof v}`);

/** Returns every NaN, ±Infinity and -0 in a document with its path: no config number may be one (X-SEC-8). */
const unusableNumbers = (doc: unknown, path: string[] = []): YamlIssue[] => {
  if (typeof doc === 'number') {
    const why = unusableNumber(doc);
    return why === undefined ? [] : [{ path: formatPath(path), message: why }];
  }
  if (Array.isArray(doc)) return doc.flatMap((v, i) => unusableNumbers(v, [...path, String(i)]));
  if (doc !== null && typeof doc === 'object') return Object.entries(doc as Record<string, unknown>).flatMap(([k, v]) => unusableNumbers(v, [...path, k]));
  return [];
};

/** What parsing found before decoding: problems that did not stop it, and values a duplicate key replaced. */
export interface ParseFindings {
  readonly issues?: ReadonlyArray<YamlIssue>;
  readonly shadowed?: ReadonlyArray<ShadowedValue>;
}

/**
 * Decodes an already-parsed document; `file` is used in messages only. The secret scan runs first, so a secret under
 * an unknown or duplicated key is still a SafetyRefusal (exit 3), never just a schema error.
 */
export const decodeConfig = (file: string, doc: unknown, found: ParseFindings = {}): Either.Either<LoadedConfig, ConfigError | SafetyRefusal> => {
  const secrets = [...findPlaintextSecrets(doc), ...(found.shadowed ?? []).flatMap((s) => findPlaintextSecrets(s.value, [...s.path]))];
  if (secrets.length > 0) {
    return Either.left(
      new SafetyRefusal({
        code: 'plaintext_secret_in_config',
        detail: `${file} holds secret-shaped values at ${secrets.map((s) => `${s.path} (${s.why})`).join('; ')}. Put secrets in the environment (see .env.example) and remove them from the file.`,
      }),
    );
  }
  const root = doc ?? {};
  if (typeof root !== 'object' || Array.isArray(root)) {
    return Either.left(new ConfigError({ file, issues: [{ path: '(root)', message: `a config is a mapping of keys (see config/example.yaml), this file holds ${typeName(root)}` }] }));
  }
  const prior = [...(found.issues ?? []), ...unusableNumbers(root)];
  const decoded = Schema.decodeUnknownEither(AppConfig, { errors: 'all', onExcessProperty: 'error' })(root);
  if (Either.isLeft(decoded) || prior.length > 0) {
    const schemaIssues = Either.isLeft(decoded) ? schemaIssuesOf(decoded.left) : [];
    // A path already reported (a duplicate key, an .inf) keeps that message alone.
    const reported = new Set(prior.map((i) => i.path));
    const issues = [...prior, ...schemaIssues.filter((i) => !reported.has(i.path))].map((i) => ({ path: i.path, message: oneLine(i.message) }));
    return Either.left(new ConfigError({ file, issues }));
  }
  const config = decoded.right;
  const encoded = Schema.encodeSync(AppConfig)(config);
  const hash = createHash('sha256').update(sortedJson(encoded)).digest('hex');
  return Either.right({ file, config, hash });
};

const schemaIssuesOf = (error: ParseResult.ParseError): Array<{ path: string; message: string }> => {
  // Optional keys decode as `T | undefined`; the "Expected undefined" branch of that union is noise to a reader.
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
    .filter((i) => !i.message.startsWith('Expected undefined'))
    .map((i) => ({
      path: formatPath(i.path),
      message: i._tag === 'Unexpected' ? `unknown key (not in the schema; see config/example.yaml)` : i.message,
    }));
  // An optional-or-null key reports its `null` branch too; drop that line when the path has a real message.
  const meaningful = issues.filter((i) => !(i.message.startsWith('Expected null') && issues.some((j) => j.path === i.path && j !== i)));
  return mergeAlternatives(meaningful);
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

/**
 * Returns the mode/endpoint mismatches of a decoded config (X-MOD-7): PAPER and DRY_RUN may use only the simulator or
 * testnet, LIVE only mainnet. `check` reports them as a ConfigError; `run` refuses the same starts with exit 3.
 */
export const modeEndpointIssues = (config: AppConfig): ReadonlyArray<YamlIssue> =>
  Object.entries(config.venues).flatMap(([name, section]) => {
    const kind = endpointKindOf(section);
    const path = `venues.${name}.environment`;
    if (config.mode !== 'LIVE' && kind === 'production') {
      return [{ path, message: `${section.environment} is a production endpoint; mode ${config.mode} may use only the simulator or testnet (X-MOD-7)` }];
    }
    if (config.mode === 'LIVE' && kind !== 'production') {
      return [{ path, message: `mode LIVE trades only on a production endpoint, not ${section.environment} (X-MOD-7)` }];
    }
    return [];
  });

/** Reads at most `limit + 1` bytes of a file (a FIFO or /dev/zero cannot make the loader read forever). */
const readBounded = (file: string, limit: number): Buffer => {
  const fd = openSync(file, 'r');
  try {
    if (fstatSync(fd).isDirectory()) throw new Error('is a directory');
    const buffer = Buffer.alloc(limit + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === buffer.length) break;
    }
    return buffer.subarray(0, total);
  } finally {
    closeSync(fd);
  }
};

/** Reads, parses and decodes a YAML config file. */
export const loadConfigFile = (file: string): Either.Either<LoadedConfig, ConfigError | SafetyRefusal> => {
  const fail = (path: string, message: string) => Either.left(new ConfigError({ file, issues: [{ path, message }] }));
  let bytes: Buffer;
  try {
    bytes = readBounded(file, CONFIG_YAML_LIMITS.maxBytes);
  } catch (e) {
    return fail('(file)', `cannot read: ${oneLine((e as Error).message)}`);
  }
  if (bytes.length > CONFIG_YAML_LIMITS.maxBytes) return fail('(file)', `larger than ${String(CONFIG_YAML_LIMITS.maxBytes)} bytes (1 MiB); a config file is a few KiB`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('(file)', 'not UTF-8 text');
  }
  const parsed = parseConfigYaml(text);
  if (Either.isLeft(parsed)) return Either.left(new ConfigError({ file, issues: parsed.left.map((i) => ({ path: i.path, message: oneLine(i.message) })) }));
  return decodeConfig(file, parsed.right.value, parsed.right);
};
