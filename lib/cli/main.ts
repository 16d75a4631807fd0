import { SkiffError } from '../errors.js';
import { demoCommand } from './demo.js';
import { MAIN_HELP } from './help.js';
import { type Io, processIo } from './io.js';
import { runCommand } from './run.js';
import { translateCommand } from './translate.js';
import { tuneV8ForProxy } from './v8-tuning.js';
import { validateCommand } from './validate.js';

/** CLI entry: dispatches a sub-command and returns the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        tuneV8ForProxy();
        return await runCommand(rest, io);
      case 'validate':
        return await validateCommand(rest, io);
      case 'translate':
        return await translateCommand(rest, io);
      case 'demo':
        tuneV8ForProxy();
        return await demoCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(MAIN_HELP);
        return cmd === undefined ? 2 : 0;
      default:
        io.err(`skiff: unknown command "${cmd}"\n\n${MAIN_HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof SkiffError) {
      io.err(`skiff: ${err.message}\n`);
      return err.code === 'SKIFF_ERR_USAGE' ? 2 : 1;
    }
    // Anything else is a bug or an environment failure; say so in one line, not a bare stack.
    io.err(`skiff: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
