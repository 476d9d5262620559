/** Entry point of the bundle (dist/tradewarden.js): runs the CLI and sets the exit code. */
import { main } from './cli/main.ts';
import { processIo } from './cli/io.ts';

const code = await main(process.argv.slice(2), processIo);
process.exitCode = code;
// The command has finished and flushed its journal and logs. A handle that would keep the process alive beyond that
// (a request to a peer that never answers) must not hold a stopped session hostage: exit after a grace period.
setTimeout(() => process.exit(code), 5000).unref();
