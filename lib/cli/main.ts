import { SkiffError } from '../errors.js';
import { MAIN_HELP } from './help.js';
import { type Io, processIo } from './io.js';
import { tuneV8ForProxy } from './v8-tuning.js';

/**
 * CLI entry: dispatches a sub-command and returns the process exit code. Commands load their
 * modules on demand: a running sidecar does not carry the analyzers or the Envoy encoder.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        tuneV8ForProxy();
        return await (await import('./run.js')).runCommand(rest, io);
      case 'validate':
        return await (await import('./validate.js')).validateCommand(rest, io);
      case 'translate':
        return await (await import('./translate.js')).translateCommand(rest, io);
      case 'pki':
        return await (await import('./pki.js')).pkiCommand(rest, io);
      case 'demo':
        tuneV8ForProxy();
        return await (await import('./demo.js')).demoCommand(rest, io);
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
