/** Entry point of the bundle (dist/tradewarden.js): runs the CLI and sets the exit code. */
import { main } from './cli/main.ts';
import { processIo } from './cli/io.ts';

const code = await main(process.argv.slice(2), processIo);
process.exitCode = code;
