/**
 * The CLI's declarative flag tables and the strict parser over them (issue 14 item 8). Each subcommand declares its
 * flags once — name, type, whether it repeats, a short alias, the value's placeholder and a one-line description —
 * and everything else is generated from that table: parsing through `node:util` parseArgs in strict mode, the
 * readable refusal of an unknown flag, a missing value or a stray argument (exit 2, naming the closest valid flag),
 * the usage line and the per-command `--help`. Nothing here writes output; the caller prints what it returns.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One flag of a command. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** One line for `--help`. */
  readonly description: string;
  /** The value's placeholder in usage and help (`<file>`); string flags only. */
  readonly value?: string;
  /** The flag may repeat; its values are collected in order. */
  readonly multiple?: boolean;
  readonly short?: string;
  /** The command cannot run without it (checked before the command runs; shown without brackets in the usage line). */
  readonly required?: boolean;
  /**
   * The value may be left out (`--inspect [port]`): the next argument is taken as the value only when it matches;
   * a flag given without one parses as the empty string.
   */
  readonly optionalValue?: RegExp;
  /** Used by other tradewarden processes, not by operators: listed in `--help` under "Internal", never suggested. */
  readonly internal?: boolean;
}

/** A command's flags by long name (without the dashes), in the order help lists them. */
export type FlagTable = Readonly<Record<string, FlagSpec>>;

type ValueOf<F extends FlagSpec> = F extends { readonly type: 'boolean' } ? boolean : F extends { readonly multiple: true } ? string[] : string;

/** The parsed values of a table: absent when the flag was not given. */
export type FlagValues<T extends FlagTable> = { readonly [K in keyof T]?: ValueOf<T[K]> };

/** The flags every command takes. */
export const GLOBAL_FLAGS = {
  'data-dir': { type: 'string', value: 'dir', description: 'the data directory: runs, journals, logs and the kill-switch flag (default ./var)' },
  help: { type: 'boolean', short: 'h', description: 'print this help and exit' },
  version: { type: 'boolean', short: 'v', description: 'print the version and exit' },
} as const satisfies FlagTable;

/** `--config`, for the commands that read a config file. */
export const CONFIG_FLAG = {
  config: { type: 'string', short: 'c', value: 'file', description: 'the config file (YAML)' },
} as const satisfies FlagTable;

/** `--json`, for the commands whose result is a report. */
export const JSON_FLAG = {
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of text lines (exit codes unchanged)' },
} as const satisfies FlagTable;

/** A refused command line (exit 2): the readable message, or the required flags that were not given. */
export interface UsageProblem {
  readonly message: string;
  readonly missing?: ReadonlyArray<string>;
}

/** The outcome of parsing one command's arguments. */
export type Parsed<T extends FlagTable> =
  | { readonly ok: true; readonly values: FlagValues<T>; readonly positionals: ReadonlyArray<string> }
  | { readonly ok: false; readonly problem: UsageProblem };

const optionsOf = (table: FlagTable): NonNullable<ParseArgsConfig['options']> =>
  Object.fromEntries(Object.entries(table).map(([name, f]) => [name, { type: f.type, ...(f.multiple === true ? { multiple: true } : {}), ...(f.short === undefined ? {} : { short: f.short }) }]));

/**
 * Rewrites the flags of `table` whose value is optional into the inline form the parser reads: `--inspect 9000` →
 * `--inspect=9000` when the next argument matches, `--inspect` alone → `--inspect=`. Stops at `--`.
 */
export const inlineOptionalValues = (args: ReadonlyArray<string>, table: FlagTable): string[] => {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const spec = a.startsWith('--') ? table[a.slice(2)] : undefined;
    if (spec?.optionalValue === undefined) {
      out.push(a);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && spec.optionalValue.test(next)) {
      out.push(`${a}=${next}`);
      i += 1;
    } else out.push(`${a}=`);
  }
  return out;
};

/** The tokens of a lenient parse: what each argument is, without judging it. */
export const tokensOf = (args: ReadonlyArray<string>, table: FlagTable) =>
  parseArgs({ args: [...args], options: optionsOf(table), strict: false, allowPositionals: true, tokens: true }).tokens;

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export const editDistance = (a: string, b: string): number => {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
};

/**
 * Returns the candidate closest to `name`: within an edit distance of 2 (at most half the name's length), else one
 * that the name starts (or that starts the name; three characters at least); undefined when none is close. A tie
 * goes to the candidate nearer in length (`seped`: `speed` rather than `seed`), then to the earlier one.
 */
export const closest = (name: string, candidates: ReadonlyArray<string>): string | undefined => {
  const limit = Math.min(2, Math.floor(name.length / 2));
  let best: { readonly candidate: string; readonly score: number; readonly length: number } | undefined;
  for (const c of candidates) {
    const distance = editDistance(name, c);
    const prefix = Math.min(name.length, c.length) >= 3 && (c.startsWith(name) || name.startsWith(c));
    const score = distance <= limit ? distance : prefix ? limit + 1 : Number.POSITIVE_INFINITY;
    const length = Math.abs(c.length - name.length);
    if (score === Number.POSITIVE_INFINITY) continue;
    if (best === undefined || score < best.score || (score === best.score && length < best.length)) best = { candidate: c, score, length };
  }
  return best?.candidate;
};

/** `--name <value>`, `--name [value]`, `--name` (the flag as usage and help show it). */
export const flagLabel = (name: string, f: FlagSpec): string =>
  f.type === 'boolean' ? `--${name}` : f.optionalValue !== undefined ? `--${name} [${f.value ?? 'value'}]` : `--${name} <${f.value ?? 'value'}>`;

/** What to say about an unknown flag: the closest flag of this command, else the commands that have it. */
const unknownFlag = (raw: string, name: string, table: FlagTable, elsewhere: (name: string) => ReadonlyArray<string>): string => {
  const long = Object.entries(table).filter(([, f]) => f.internal !== true).map(([n]) => n);
  const near = raw.startsWith('--') ? closest(name, long) : undefined;
  if (near !== undefined) return `Unknown option '${raw}'; did you mean '--${near}'?`;
  const owners = raw.startsWith('--') ? elsewhere(name) : [];
  return owners.length > 0 ? `Unknown option '${raw}' here; it is a flag of ${owners.map((o) => `\`${o}\``).join(', ')}` : `Unknown option '${raw}'`;
};

/** Options of `parseCommandLine`. */
export interface ParseOptions {
  /** The commands (by path) that have a flag of this name, for the hint on a flag given to the wrong one. */
  readonly elsewhere?: (name: string) => ReadonlyArray<string>;
}

/**
 * Parses one command's arguments (flags only; the command and its action are already taken off) strictly against its
 * table. A refusal names the offending argument and, for an unknown flag, the closest valid one; the caller adds
 * where to read more and exits 2.
 */
export const parseCommandLine = <T extends FlagTable>(args: ReadonlyArray<string>, table: T, opts: ParseOptions = {}): Parsed<T> => {
  const expanded = inlineOptionalValues(args, table);
  let parsed;
  try {
    parsed = parseArgs({ args: expanded, options: optionsOf(table), strict: true, allowPositionals: true });
  } catch (e) {
    return { ok: false, problem: { message: diagnose(expanded, table, opts) ?? (e instanceof Error ? e.message : String(e)) } };
  }
  const [extra] = parsed.positionals;
  if (extra !== undefined) return { ok: false, problem: { message: `Unexpected argument '${extra}' (this command takes flags only${extra.startsWith('-') ? '' : '; a value goes right after its flag'})` } };
  for (const [name, f] of Object.entries(table)) {
    const v = (parsed.values as Record<string, unknown>)[name];
    if (f.optionalValue !== undefined && typeof v === 'string' && v !== '' && !f.optionalValue.test(v)) {
      return { ok: false, problem: { message: `Option '${flagLabel(name, f)}' got '${v}', which is not a ${f.value ?? 'value'}` } };
    }
  }
  const missing = Object.entries(table).filter(([name, f]) => f.required === true && (parsed.values as Record<string, unknown>)[name] === undefined).map(([name]) => `--${name}`);
  if (missing.length > 0) return { ok: false, problem: { message: `needs ${missing.join(', ')}`, missing } };
  return { ok: true, values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
};

/** Names the first argument the strict parser refused, in the words of the table; undefined when it cannot tell. */
const diagnose = (args: ReadonlyArray<string>, table: FlagTable, opts: ParseOptions): string | undefined => {
  for (const t of tokensOf(args, table)) {
    if (t.kind !== 'option') continue;
    // The lenient parse names a known short flag by its long name (`-c` → config) and an unknown one as written.
    const name = t.name;
    const f = Object.hasOwn(table, name) ? table[name] : undefined;
    if (f === undefined) return unknownFlag(t.rawName, name, table, opts.elsewhere ?? (() => []));
    if (f.type === 'boolean' && t.inlineValue === true) return `Option '${t.rawName}' does not take an argument`;
    if (f.type === 'string' && t.value === undefined) return `Option '${t.rawName} <value>' argument missing (${flagLabel(name, f)}: ${f.description})`;
    if (f.type === 'string' && t.inlineValue === false && t.value?.startsWith('-') === true) {
      return `Option '${t.rawName} <value>' argument missing: the next argument '${t.value}' starts with '-' and is read as a flag (a value starting with '-' is written ${t.rawName}=${t.value})`;
    }
  }
  return undefined;
};

/** The usage line of a command: `tradewarden <path> [--flag <v>]… ` with required flags unbracketed. */
export const usageLine = (path: string, table: FlagTable): string => {
  const parts = Object.entries(table)
    .filter(([name, f]) => f.internal !== true && !(name in GLOBAL_FLAGS && name !== 'data-dir'))
    .map(([name, f]) => {
      const label = `${flagLabel(name, f)}${f.multiple === true ? '…' : ''}`;
      return f.required === true ? label : `[${label}]`;
    });
  return ['tradewarden', path, ...parts].join(' ');
};

/** One help line per flag of `table` (the internal ones, or the others), aligned. */
export const flagRows = (table: FlagTable, internal = false): string[] => {
  const entries = Object.entries(table).filter(([, f]) => (f.internal === true) === internal);
  const labels = entries.map(([name, f]) => `${f.short === undefined ? '    ' : `-${f.short}, `}${flagLabel(name, f)}`);
  const width = Math.max(0, ...labels.map((l) => l.length)) + 2;
  return entries.map(([, f], i) => `  ${labels[i]!.padEnd(width)}${f.description}${f.required === true ? ' (required)' : ''}${f.multiple === true ? ' (repeatable)' : ''}`);
};

/** The help of one command, generated from its table: usage, summary and every flag with its description. */
export const helpOf = (path: string, summary: string, table: FlagTable): string => {
  const rows = (internal: boolean): string[] => flagRows(table, internal);
  const internal = rows(true);
  return [
    `Usage: ${usageLine(path, table)}`,
    '',
    summary,
    '',
    'Options:',
    ...rows(false),
    ...(internal.length === 0 ? [] : ['', 'Internal (passed by other tradewarden processes; not for operators):', ...internal]),
  ].join('\n');
};

/** Turns parsed values back into arguments (`--flag value`, repeated flags in order, booleans bare), table order. */
export const argvOf = (values: Readonly<Record<string, unknown>>, table: FlagTable): string[] =>
  Object.entries(table).flatMap(([name, f]) => {
    const v = values[name];
    if (v === undefined || v === false) return [];
    if (f.type === 'boolean') return [`--${name}`];
    return (Array.isArray(v) ? v : [v]).flatMap((x) => [`--${name}`, String(x)]);
  });
