/**
 * Generates `config/example.yaml` from the schema's defaults and CONFIG_DOCS (X-SEC-10): every key, its default and a
 * comment. Pure apart from the returned text.
 */
import { Schema } from 'effect';
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

const annotate = (node: unknown, prefix: string): void => {
  if (!isMap(node)) return;
  for (const item of node.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const path = prefix === '' ? String(item.key.value) : `${prefix}.${String(item.key.value)}`;
    const doc = CONFIG_DOCS[path];
    if (doc !== undefined) item.key.commentBefore = ` ${doc}`;
    annotate(item.value, path);
  }
};

/** Returns the text of config/example.yaml. */
export const renderExampleConfig = (): string => {
  const doc = new Document(defaultConfigEncoded());
  annotate(doc.contents, '');
  doc.commentBefore = [
    ' tradewarden — every config key with its default and meaning.',
    ' Generated from the schema by `npm run config:example`; a test keeps it in sync. Do not edit by hand.',
    ' Secrets never go in config files: use environment variables (see .env.example).',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
};
