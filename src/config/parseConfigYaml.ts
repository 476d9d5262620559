/**
 * Turns untrusted config text into a plain value within fixed limits (X-SEC-8): size, nesting depth, key count,
 * aliases and their expansion, string length, duplicate keys (one linear Set-based walk over the YAML AST, not the
 * yaml package's quadratic `uniqueKeys` check). Line endings are normalised first. Never throws; performs no I/O.
 */
import { Either } from 'effect';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

/** The limits a config document must stay within. */
export const CONFIG_YAML_LIMITS = {
  /** Bytes of the file (the bundled example with every key is about 12 KiB). */
  maxBytes: 1024 * 1024,
  /** Nested mappings and sequences, counted after alias expansion. */
  maxDepth: 32,
  /** Mapping keys in the whole document. */
  maxKeys: 10_000,
  /** Alias nodes (`*name`) in the document; also handed to yaml's own `maxAliasCount`. */
  maxAliases: 100,
  /** Nodes of the document once every alias is expanded. */
  maxExpandedNodes: 100_000,
  /** Characters of all scalars once every alias is expanded. */
  maxExpandedChars: 1024 * 1024,
  /** Characters of one scalar. */
  maxStringLength: 4096,
} as const;

/** One problem, in the shape ConfigError carries. */
export interface YamlIssue {
  readonly path: string;
  readonly message: string;
}

/** A value that a later duplicate key replaced, kept so the secret scan still sees it. */
export interface ShadowedValue {
  readonly path: ReadonlyArray<string>;
  readonly value: unknown;
}

/** A parsed document: its value, the problems that did not stop parsing (duplicate keys), and shadowed values. */
export interface ParsedConfigYaml {
  readonly value: unknown;
  readonly issues: ReadonlyArray<YamlIssue>;
  readonly shadowed: ReadonlyArray<ShadowedValue>;
}

/** Returns the text with CRLF and lone CR line endings turned into LF and a leading byte-order mark removed. */
export const normaliseLineEndings = (text: string): string => text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');

const firstLine = (message: string): string => (message.split('\n')[0] ?? message).trim();

interface Cost {
  readonly nodes: number;
  readonly chars: number;
  readonly height: number;
}

class Stop extends Error {}

/**
 * Parses config text within CONFIG_YAML_LIMITS. Limit breaches, syntax errors and unsafe aliases are fatal (Left);
 * duplicate keys are reported as issues alongside the value (the later key wins in the value, the earlier value is
 * returned as shadowed).
 */
export const parseConfigYaml = (raw: string): Either.Either<ParsedConfigYaml, ReadonlyArray<YamlIssue>> => {
  const L = CONFIG_YAML_LIMITS;
  if (raw.length > L.maxBytes) return Either.left([{ path: '(file)', message: `longer than ${String(L.maxBytes)} characters; a config file is a few KiB` }]);
  const text = normaliseLineEndings(raw);
  const lineCounter = new LineCounter();
  const lineOf = (node: { range?: readonly [number, number, number] | null | undefined } | null | undefined): string =>
    node?.range == null ? '?' : String(lineCounter.linePos(node.range[0]).line);

  let document: ReturnType<typeof parseDocument>;
  try {
    document = parseDocument(text, { uniqueKeys: false, lineCounter });
  } catch (e) {
    return Either.left([{ path: '(yaml)', message: `cannot parse: ${firstLine(e instanceof Error ? e.message : String(e))}` }]);
  }
  if (document.errors.length > 0) {
    return Either.left(document.errors.slice(0, 20).map((e) => ({ path: `(yaml line ${String(e.linePos?.[0]?.line ?? '?')})`, message: firstLine(e.message) })));
  }

  const fatal: YamlIssue[] = [];
  const issues: YamlIssue[] = [];
  const shadowedNodes: Array<{ path: string[]; node: unknown }> = [];
  const anchors = new Map<string, Node>();
  const costs = new Map<unknown, Cost>();
  const open = new Set<unknown>();
  let keys = 0;
  let aliases = 0;
  // Annotated so that TypeScript narrows after a call (a never-returning arrow needs an explicit type for that).
  const stop: (issue: YamlIssue) => never = (issue) => {
    fatal.push(issue);
    throw new Stop();
  };
  const pathText = (path: ReadonlyArray<string>): string => (path.length === 0 ? '(root)' : path.join('.'));

  // Recursion depth is bounded by maxDepth (checked on entry), so the walk itself cannot exhaust the stack.
  const walk = (node: unknown, path: string[], depth: number): Cost => {
    if (node === null || node === undefined) return { nodes: 1, chars: 0, height: 0 };
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > L.maxAliases) stop({ path: pathText(path), message: `more than ${String(L.maxAliases)} aliases (*name); a config needs none` });
      const target = anchors.get(node.source);
      if (target === undefined) stop({ path: pathText(path), message: `alias *${node.source} has no anchor &${node.source} before it` });
      if (open.has(target)) stop({ path: pathText(path), message: `alias *${node.source} refers to a node that contains it (a self-referencing anchor)` });
      const cost = costs.get(target) ?? { nodes: 1, chars: 0, height: 0 };
      if (depth + cost.height > L.maxDepth) stop({ path: pathText(path), message: `nested deeper than ${String(L.maxDepth)} levels once alias *${node.source} is expanded` });
      return cost;
    }
    if (depth > L.maxDepth) stop({ path: pathText(path), message: `nested deeper than ${String(L.maxDepth)} levels` });
    const anchor = (node as { anchor?: string | undefined }).anchor;
    if (anchor !== undefined) anchors.set(anchor, node as Node);
    let cost: Cost;
    if (isScalar(node)) {
      const chars = typeof node.value === 'string' ? node.value.length : 0;
      if (chars > L.maxStringLength) stop({ path: pathText(path), message: `a string of ${String(chars)} characters (at most ${String(L.maxStringLength)}; line ${lineOf(node)})` });
      cost = { nodes: 1, chars, height: 0 };
    } else if (isMap(node)) {
      open.add(node);
      const seen = new Map<string, { line: string; value: unknown }>();
      let nodes = 1;
      let chars = 0;
      let height = 0;
      for (const pair of node.items) {
        keys += 1;
        if (keys > L.maxKeys) stop({ path: pathText(path), message: `more than ${String(L.maxKeys)} keys in the file; see config/example.yaml for the ones that exist` });
        const key: unknown = pair.key;
        if (!isScalar(key)) {
          stop({ path: pathText(path), message: `a key must be a plain word or number, not empty, a collection or an alias (line ${lineOf(isAlias(key) || isMap(key) || isSeq(key) ? key : node)})` });
        }
        const name = String(key.value);
        if (name === '__proto__') stop({ path: pathText(path), message: 'the key __proto__ is not allowed' });
        if (name.length > 256) stop({ path: pathText(path), message: `a key of ${String(name.length)} characters (line ${lineOf(key)})` });
        if (key.anchor !== undefined) {
          anchors.set(key.anchor, key);
          costs.set(key, { nodes: 1, chars: name.length, height: 0 });
        }
        const childPath = [...path, name];
        const previous = seen.get(name);
        if (previous !== undefined) {
          issues.push({ path: pathText(childPath), message: `duplicate key (first on line ${previous.line}, again on line ${lineOf(key)}); YAML keys must be unique` });
          shadowedNodes.push({ path: childPath, node: previous.value });
        }
        seen.set(name, { line: lineOf(key), value: pair.value });
        const child = walk(pair.value, childPath, depth + 1);
        nodes += 1 + child.nodes;
        chars += name.length + child.chars;
        height = Math.max(height, child.height + 1);
      }
      open.delete(node);
      cost = { nodes, chars, height };
    } else if (isSeq(node)) {
      open.add(node);
      let nodes = 1;
      let chars = 0;
      let height = 0;
      node.items.forEach((item, i) => {
        const child = walk(item, [...path, String(i)], depth + 1);
        nodes += child.nodes;
        chars += child.chars;
        height = Math.max(height, child.height + 1);
      });
      open.delete(node);
      cost = { nodes, chars, height };
    } else {
      stop({ path: pathText(path), message: 'unsupported YAML node' });
      return { nodes: 0, chars: 0, height: 0 };
    }
    if (cost.nodes > L.maxExpandedNodes) stop({ path: pathText(path), message: `expands to more than ${String(L.maxExpandedNodes)} values (an alias bomb?)` });
    if (cost.chars > L.maxExpandedChars) stop({ path: pathText(path), message: `expands to more than ${String(L.maxExpandedChars)} characters (an alias bomb?)` });
    costs.set(node, cost);
    return cost;
  };

  try {
    walk(document.contents, [], 0);
  } catch (e) {
    if (!(e instanceof Stop)) return Either.left([{ path: '(yaml)', message: `cannot read the document: ${firstLine(e instanceof Error ? e.message : String(e))}` }]);
  }
  if (fatal.length > 0) return Either.left(fatal);

  try {
    const value: unknown = document.toJS({ maxAliasCount: L.maxAliases });
    const shadowed = shadowedNodes.map((s): ShadowedValue => {
      const node = s.node;
      const shadowedValue: unknown = node !== null && typeof node === 'object' && 'toJS' in node ? (node as Node).toJS(document, { maxAliasCount: L.maxAliases }) : node;
      return { path: s.path, value: shadowedValue };
    });
    return Either.right({ value, issues, shadowed });
  } catch (e) {
    return Either.left([{ path: '(yaml)', message: `cannot expand the document: ${firstLine(e instanceof Error ? e.message : String(e))}` }]);
  }
};
