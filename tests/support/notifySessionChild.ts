/**
 * Child process for the notifications restart test (X-NTF-5): runs a paper session (`runSession`) with the encoded
 * config in the JSON file at argv[2] on the data directory argv[3], secrets from its environment (the Bot API token),
 * until SIGTERM or the config's wall bound. The parent SIGKILLs it between an ACK and the message's delivery. Test
 * support only; it prints `started` once the session reports its operations surface.
 */
import { readFileSync, writeSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { Schema } from 'effect';

enableCompileCache();
const { runSession } = await import('../../src/app/session.ts');
const { AppConfig } = await import('../../src/config/schema.ts');
const { loadSecrets } = await import('../../src/config/secrets.ts');

const [configFile, dataDir] = process.argv.slice(2);
if (configFile === undefined || dataDir === undefined) {
  writeSync(2, 'usage: notifySessionChild <config.json> <data dir>\n');
  process.exit(2);
}
const config = Schema.decodeUnknownSync(AppConfig)(JSON.parse(readFileSync(configFile, 'utf8')));
const abort = new AbortController();
process.once('SIGTERM', () => abort.abort());
try {
  await runSession({
    config, configHash: 'f'.repeat(64), dataDir, version: 'test', commit: null, progress: () => undefined, maxWallMs: 120_000, signal: abort.signal,
    secrets: loadSecrets(), onOps: () => void writeSync(1, 'started\n'),
  });
  writeSync(1, 'done\n');
} catch (e) {
  writeSync(2, `session failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
