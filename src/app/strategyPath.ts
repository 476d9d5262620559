/**
 * Loads the user strategies of a directory (`--strategy-path <dir>`, config `strategyPath`; issue 12): every `.ts`,
 * `.js` and `.mjs` module of it (not its subdirectories, not `.d.ts`), in name order, through dynamic `import()` of
 * its absolute file URL (Node 24 strips TypeScript types; the bundled CLI resolves nothing relative to itself). Each
 * module's default export is checked (src/strategies/userStrategy.ts); an unreadable directory, a module that does not
 * load (syntax error, a throw at import), a missing or misshapen export, or an id that clashes with a built-in or an
 * earlier module is a UserStrategyError naming the file. Then the config's strategy sections and the command's
 * `--strategy`/`--param` are applied through the registry, user strategies exactly like built-ins.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Either } from 'effect';
import type { AppConfig } from '../config/schema.ts';
import { isBuiltinStrategy, withStrategyOverrides, type StrategyEntry } from '../strategies/registry.ts';
import { UserStrategyError, userStrategyEntry } from '../strategies/userStrategy.ts';

const MODULE = /\.(ts|js|mjs)$/;

const firstLine = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0]!;

/** Returns the module files of a directory, in name order; throws a UserStrategyError when there is none to read. */
const modulesOf = (dir: string): string[] => {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UserStrategyError({ file: dir, problem: 'no such directory' });
  }
  if (!isDir) throw new UserStrategyError({ file: dir, problem: 'not a directory (--strategy-path names a directory of strategy modules)' });
  const files = readdirSync(dir).filter((f) => MODULE.test(f) && !f.endsWith('.d.ts')).sort();
  if (files.length === 0) throw new UserStrategyError({ file: dir, problem: 'the directory holds no .ts, .js or .mjs module' });
  return files.map((f) => join(dir, f));
};

/** Loads and checks every strategy module of `dir`; rejects with the first UserStrategyError. */
export const loadStrategyDir = async (dir: string): Promise<ReadonlyArray<StrategyEntry>> => {
  const out: StrategyEntry[] = [];
  for (const file of modulesOf(dir)) {
    if (!statSync(file).isFile()) continue;
    let mod: unknown;
    try {
      mod = await import(pathToFileURL(resolve(file)).href);
    } catch (e) {
      throw new UserStrategyError({ file, problem: `cannot be loaded: ${firstLine(e)}` });
    }
    const exported = typeof mod === 'object' && mod !== null && 'default' in mod ? mod.default : undefined;
    const entry = userStrategyEntry(file, exported);
    if (Either.isLeft(entry)) throw entry.left;
    const id = entry.right.id;
    if (isBuiltinStrategy(id)) throw new UserStrategyError({ file, problem: `id ${id} is a built-in strategy's; choose another id` });
    const earlier = out.find((e) => e.id === id);
    if (earlier !== undefined) throw new UserStrategyError({ file, problem: `id ${id} is already defined by ${earlier.file ?? 'another module'}` });
    out.push(entry.right);
  }
  return out;
};

/** The strategies a run uses: the config with its sections and overrides applied, and the user strategies it loaded. */
export interface RunStrategies {
  readonly config: AppConfig;
  readonly user: ReadonlyArray<StrategyEntry>;
}

/**
 * Loads the user strategies of `strategyPath` (else the config's `strategyPath`, else none) and applies the config's
 * strategy sections and `--strategy`/`--param`; a readable problem on the left (exit 2), never a throw.
 */
export const resolveRunStrategies = async (
  config: AppConfig, opts: { readonly strategyPath?: string | undefined; readonly strategy?: string | undefined; readonly params: ReadonlyArray<string> },
): Promise<Either.Either<RunStrategies, string>> => {
  const dir = opts.strategyPath ?? config.strategyPath;
  let user: ReadonlyArray<StrategyEntry> = [];
  if (dir !== undefined) {
    try {
      user = await loadStrategyDir(dir);
    } catch (e) {
      return Either.left(e instanceof UserStrategyError ? e.message : `--strategy-path ${dir}: ${firstLine(e)}`);
    }
  }
  return Either.map(withStrategyOverrides(config, opts, user), (c) => ({ config: c, user }));
};
