/** Writes config/example.yaml from the schema (run with `npm run config:example`). */
import { writeFileSync } from 'node:fs';
import { renderExampleConfig } from './example.ts';

writeFileSync(new URL('../../config/example.yaml', import.meta.url), renderExampleConfig());
