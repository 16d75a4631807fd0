import { formatIssue } from '../config/errors.js';
import { SIDECAR_PORTS } from '../config/istio/sidecar-options.js';
import { loadConfigFiles } from '../config/load.js';
import { SkiffError } from '../errors.js';
import { Skiff } from '../server/skiff.js';
import { proxyWorkloadFrom } from '../stats/istio/workload-facts.js';
import { createLogger } from '../util/logger.js';
import { parseCommonArgs } from './args.js';
import { CERT_FLAGS, certificateRequestFrom, openCertificateProvider } from './cert-args.js';
import { RUN_HELP } from './help.js';
import { type Io, waitForShutdownSignal } from './io.js';
import { portFlag, SIDECAR_FLAGS, sidecarOptionsFrom } from './sidecar-args.js';
import { sidecarTracingFrom, TRACE_FLAGS } from './trace-args.js';

/**
 * `skiff run`: validate, then serve until SIGTERM/SIGINT or POST /quitquitquit. Files holding
 * Istio resources run Skiff as the sidecar of one workload, with Istio's ports by default.
 */
export async function runCommand(
  argv: readonly string[],
  io: Io,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const args = parseCommonArgs(argv, {
    'health-port': { type: 'string' },
    'stats-port': { type: 'string' },
    ...SIDECAR_FLAGS,
    ...CERT_FLAGS,
    ...TRACE_FLAGS,
  });
  if (args.help) {
    io.out(RUN_HELP);
    return 0;
  }
  if (args.configs.length === 0)
    throw new SkiffError('SKIFF_ERR_USAGE', 'run: at least one -c FILE is required');
  const sidecar = sidecarOptionsFrom(args.values, env);
  // Usage errors come before the config is read (the defaults depend on what it holds).
  const healthFlag = portFlag(args.values, 'health-port', undefined);
  const statsFlag = portFlag(args.values, 'stats-port', undefined);
  const certRequest = certificateRequestFrom(args.values);
  const tracing = sidecarTracingFrom(args.values);
  // Served here: certificate files named by TLS contexts must be usable now, as Envoy requires.
  const load = { sidecar, checkFiles: true };
  const result = await loadConfigFiles(args.configs, load);
  if (!result.ok) {
    for (const issue of result.issues) io.err(`${formatIssue(issue)}\n`);
    io.err(
      `skiff: config rejected (${result.issues.length} error${result.issues.length === 1 ? '' : 's'})\n`,
    );
    return 1;
  }
  const sidecarMode = result.istio.length > 0;
  const readinessPort = healthFlag !== undefined ? healthFlag : sidecarMode ? SIDECAR_PORTS.health : null;
  const statsPort = statsFlag !== undefined ? statsFlag : sidecarMode ? SIDECAR_PORTS.stats : null;
  const adminPort = args.adminPort ?? (sidecarMode ? SIDECAR_PORTS.admin : undefined);
  const log = createLogger(args.logLevel);
  for (const w of result.warnings) log.warn(formatIssue(w));
  if (sidecarMode) {
    const w = sidecar.workload;
    log.info(
      `sidecar mode: workload ${w.name || '(unnamed)'} in namespace ${w.namespace}, service account ${w.serviceAccount}`,
    );
  }
  const certificates = await openCertificateProvider(certRequest, sidecar.workload, log);
  let quit: () => void = () => {};
  const quitting = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const skiff = await Skiff.start(result.bootstrap, {
    ...(adminPort === undefined ? {} : { adminPort }),
    // Istio binds the admin port to localhost only: it can mutate the proxy.
    ...(sidecarMode && args.adminPort === undefined ? { adminAddress: '127.0.0.1' } : {}),
    ...(readinessPort === null ? {} : { readinessPort }),
    ...(statsPort === null ? {} : { statsPort }),
    logger: log,
    ...(certificates === undefined ? {} : { certificates }),
    // Istio's standard metrics describe this workload; CLUSTER_ID as istio-agent reads it.
    ...(sidecarMode
      ? { istioWorkload: proxyWorkloadFrom(sidecar.workload, env.ISTIO_META_CLUSTER_ID ?? env.CLUSTER_ID) }
      : {}),
    // Tracing is on in sidecar mode as in Istio; an Envoy bootstrap follows its HCM `tracing` blocks.
    ...(sidecarMode ? { tracing } : {}),
    commandLine: ['run', ...argv],
    onQuit: () => quit(),
  });
  // Config files are watched; SIGHUP reloads too. A bad config is rejected and the old one serves.
  const reloader = skiff.watchConfig(args.configs, load);
  const onHup = (): void => void reloader.reloadNow();
  process.on('SIGHUP', onHup);
  for (const l of skiff.listenerInfo())
    io.out(`skiff: listener ${l.name} listening on ${l.address}:${l.port}\n`);
  const admin = skiff.adminAddress();
  if (admin !== null) io.out(`skiff: admin listening on ${admin.address}:${admin.port}\n`);
  for (const kind of ['readiness', 'stats'] as const) {
    const p = skiff.probePort(kind);
    if (p !== null) io.out(`skiff: ${kind === 'readiness' ? 'health' : 'stats'} listening on port ${p}\n`);
  }
  await Promise.race([waitForShutdownSignal(), quitting]);
  log.info('shutting down');
  process.off('SIGHUP', onHup);
  await skiff.stop();
  return 0;
}
