/**
 * Generates `config/example.yaml` from the schema's defaults and CONFIG_DOCS (X-SEC-10): every key, its default and a
 * comment. Pure apart from the returned text.
 */
import { Option, Schema, SchemaAST } from 'effect';
import { Document, isMap, isPair, isScalar } from 'yaml';
import { CONFIG_DOCS } from './docs.ts';
import { AppConfig, decodeDefaults } from './schema.ts';

/** Returns the encoded default config (what an empty file decodes to). */
export const defaultConfigEncoded = (): unknown => Schema.encodeSync(AppConfig)(decodeDefaults(AppConfig));

/** Returns every key path of the encoded defaults (objects recursed, arrays as leaves). */
export const configKeyPaths = (value: unknown = defaultConfigEncoded(), prefix = ''): string[] => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const p = prefix === '' ? k : `${prefix}.${k}`;
    return [p, ...configKeyPaths(v, p)];
  });
};

/** The bounded schemas of src/domain/schemas.ts carry their range as identifier ("an integer in [1, 100] ms"). */
const RANGE_IDENTIFIER = /^(a number|an integer|a decimal|a fraction) in /;

const rangeOf = (ast: SchemaAST.AST): string | undefined => {
  const id = SchemaAST.getIdentifierAnnotation(ast);
  if (Option.isSome(id) && RANGE_IDENTIFIER.test(id.value)) return id.value;
  if (ast._tag === 'Union' && ast.types.every((t) => t._tag === 'Literal' && typeof t.literal === 'number')) {
    return `one of ${ast.types.map((t) => (t._tag === 'Literal' ? String(t.literal) : '')).join(', ')}`;
  }
  if (ast._tag === 'Union') {
    // `T | undefined` (an optional key) and `T | null` (a rule that may be off).
    const ranges = ast.types.map(rangeOf).filter((r) => r !== undefined);
    const nullable = ast.types.some((t) => t._tag === 'Literal' && t.literal === null);
    return ranges.length === 1 ? `${ranges[0] ?? ''}${nullable ? ', or null' : ''}` : undefined;
  }
  return undefined;
};

const structOf = (ast: SchemaAST.AST): SchemaAST.TypeLiteral | undefined => {
  if (ast._tag === 'TypeLiteral') return ast;
  if (ast._tag === 'Transformation' || ast._tag === 'Refinement') return structOf(ast.from);
  if (ast._tag === 'Union') return ast.types.map(structOf).find((t) => t !== undefined);
  return undefined;
};

/** Returns the documented range of every numeric key of a schema, by key path (X-SEC-8). */
export const configKeyRanges = (ast: SchemaAST.AST = AppConfig.ast, prefix = ''): Map<string, string> => {
  const out = new Map<string, string>();
  const struct = structOf(ast);
  if (struct === undefined) return out;
  for (const p of struct.propertySignatures) {
    const path = prefix === '' ? String(p.name) : `${prefix}.${String(p.name)}`;
    const range = rangeOf(p.type);
    if (range !== undefined) out.set(path, range);
    else for (const [k, v] of configKeyRanges(p.type, path)) out.set(k, v);
    // Records (tierCaps, groupCaps, strategies): the range of every value applies to each entry.
    const record = structOf(p.type);
    for (const sig of record?.indexSignatures ?? []) {
      const valueRange = rangeOf(sig.type);
      if (valueRange !== undefined) out.set(path, `each value ${valueRange}`);
      // Records of sections (venue accounts): each entry's keys under the wildcard `<path>.*`.
      else for (const [k, v] of configKeyRanges(sig.type, `${path}.*`)) out.set(k, v);
    }
  }
  return out;
};

/**
 * Returns the documented range of a concrete key path: its own, that of its record entry's wildcard
 * (`venues.main.leverage` → `venues.*.leverage`), or the `each value` range of the record it is an entry of.
 */
export const rangeOfKey = (ranges: ReadonlyMap<string, string>, path: string): string | undefined => {
  const wildcard = path.split('.').map((seg, i, all) => (i === all.length - 2 ? '*' : seg)).join('.');
  const parent = ranges.get(path.slice(0, Math.max(0, path.lastIndexOf('.'))));
  return ranges.get(path) ?? ranges.get(wildcard) ?? (parent?.startsWith('each value ') === true ? parent.slice('each value '.length) : undefined);
};

const annotate = (node: unknown, prefix: string, ranges: ReadonlyMap<string, string>): void => {
  if (!isMap(node)) return;
  for (const item of node.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const path = prefix === '' ? String(item.key.value) : `${prefix}.${String(item.key.value)}`;
    const doc = CONFIG_DOCS[path];
    const range = rangeOfKey(ranges, path);
    const rangeNote = range === undefined ? '' : ` Range: ${range}.`;
    if (doc !== undefined) item.key.commentBefore = ` ${doc}${rangeNote}`;
    annotate(item.value, path, ranges);
  }
};

/** Returns the text of config/example.yaml. */
export const renderExampleConfig = (): string => {
  const doc = new Document(defaultConfigEncoded());
  annotate(doc.contents, '', configKeyRanges());
  doc.commentBefore = [
    ' tradewarden — every config key with its default and meaning.',
    ' Generated from the schema by `npm run config:example`; a test keeps it in sync. Do not edit by hand.',
    ' Fractions: a bare number below 1 (0.05) or a percent string ("5%", "100%"); a bare 1 or anything above is refused as ambiguous.',
    ' Every number has the range its comment names; NaN, .inf and -0 are refused everywhere.',
    ' Secrets never go in config files: use environment variables (see .env.example).',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
};
