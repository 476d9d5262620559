/**
 * Version and commit of this build: injected by the bundler into dist/, read from package.json when run from source.
 */
import { readFileSync } from 'node:fs';

declare const __TW_BUILD__: { readonly version: string; readonly commit: string | null } | undefined;

const fromSource = (): { version: string; commit: string | null } => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return { version: pkg.version, commit: null };
};

/** The running build's version and git commit (null when unknown). */
export const buildInfo: { readonly version: string; readonly commit: string | null } =
  typeof __TW_BUILD__ !== 'undefined' ? __TW_BUILD__ : fromSource();
