import { formatIssue } from '../config/errors.js';
import { loadConfigFiles } from '../config/load.js';
import { SkiffError } from '../errors.js';
import { Skiff } from '../server/skiff.js';
import { createLogger } from '../util/logger.js';
import { parseCommonArgs, parsePort } from './args.js';
import { RUN_HELP } from './help.js';
import { type Io, waitForShutdownSignal } from './io.js';

/** A `--health-port`/`--stats-port` value: absent or 0 → off, else the port to bind. */
function optionalPort(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const port = parsePort(raw);
  if (port === null)
    throw new SkiffError('SKIFF_ERR_USAGE', `${flag}: "${raw}" is not a port number (0-65535)`);
  return port === 0 ? undefined : port;
}

/** `skiff run`: validate, then serve until SIGTERM/SIGINT or POST /quitquitquit. */
export async function runCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseCommonArgs(argv, { 'health-port': { type: 'string' }, 'stats-port': { type: 'string' } });
  const readinessPort = optionalPort(args.values['health-port'], '--health-port');
  const statsPort = optionalPort(args.values['stats-port'], '--stats-port');
  if (args.help) {
    io.out(RUN_HELP);
    return 0;
  }
  if (args.configs.length === 0)
    throw new SkiffError('SKIFF_ERR_USAGE', 'run: at least one -c FILE is required');
  const result = await loadConfigFiles(args.configs);
  if (!result.ok) {
    for (const issue of result.issues) io.err(`${formatIssue(issue)}\n`);
    io.err(
      `skiff: config rejected (${result.issues.length} error${result.issues.length === 1 ? '' : 's'})\n`,
    );
    return 1;
  }
  const log = createLogger(args.logLevel);
  for (const w of result.warnings) log.warn(formatIssue(w));
  let quit: () => void = () => {};
  const quitting = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const skiff = await Skiff.start(result.bootstrap, {
    ...(args.adminPort === undefined ? {} : { adminPort: args.adminPort }),
    ...(readinessPort === undefined ? {} : { readinessPort }),
    ...(statsPort === undefined ? {} : { statsPort }),
    logger: log,
    commandLine: ['run', ...argv],
    onQuit: () => quit(),
  });
  // Config files are watched; SIGHUP reloads too. A bad config is rejected and the old one serves.
  const reloader = skiff.watchConfig(args.configs);
  const onHup = (): void => void reloader.reloadNow();
  process.on('SIGHUP', onHup);
  for (const l of skiff.listenerInfo())
    io.out(`skiff: listener ${l.name} listening on ${l.address}:${l.port}\n`);
  const admin = skiff.adminAddress();
  if (admin !== null) io.out(`skiff: admin listening on ${admin.address}:${admin.port}\n`);
  await Promise.race([waitForShutdownSignal(), quitting]);
  log.info('shutting down');
  process.off('SIGHUP', onHup);
  await skiff.stop();
  return 0;
}
