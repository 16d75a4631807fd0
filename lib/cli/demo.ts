import { startDemo } from '../demo/demo.js';
import { SkiffError } from '../errors.js';
import { createLogger } from '../util/logger.js';
import { parseCommonArgs, parsePort } from './args.js';
import { DEMO_HELP } from './help.js';
import { type Io, waitForShutdownSignal } from './io.js';

/** `skiff demo` (`npm start`): the seed's canary split, live, with the commands to try it. */
export async function demoCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseCommonArgs(argv, { port: { type: 'string' } });
  if (args.help) {
    io.out(DEMO_HELP);
    return 0;
  }
  const portRaw = args.values.port;
  const listenerPort = portRaw === undefined ? undefined : parsePort(portRaw);
  if (listenerPort === null)
    throw new SkiffError('SKIFF_ERR_USAGE', `--port: "${portRaw}" is not a port number`);
  const demo = await startDemo({
    ...(listenerPort === undefined ? {} : { listenerPort }),
    // Istio's admin port on localhost, so the dashboard is where a sidecar user looks for it.
    adminPort: args.adminPort ?? 15000,
    logger: createLogger(args.logLevel),
  });
  const p = demo.listenerPort;
  const admin = demo.skiff.adminAddress();
  const adminUrl = admin === null ? null : `http://${admin.address}:${admin.port}`;
  io.out(`Skiff demo: the seed's canary VirtualService and DestinationRule, unchanged, served by
Skiff as the sidecar of "frontend" (namespace production) on :${p}.
order-service v1 (version 1.8.3) on :${demo.upstreams[0]!.port}, v2 (2.0.0-canary) on :${demo.upstreams[1]!.port}.

Try (the sidecar is an HTTP proxy for the app, as iptables would make it):
  curl -s -x http://127.0.0.1:${p} http://order-service/orders                     # 95 % v1, 5 % v2
  curl -s -x http://127.0.0.1:${p} -H 'x-canary: yes' http://order-service/orders  # always v2
  for i in $(seq 200); do curl -s -x http://127.0.0.1:${p} http://order-service/orders; done | sort | uniq -c
  curl -s -o /dev/null -w '%{http_code}\\n' -x http://127.0.0.1:${p} http://example.com/    # 502: REGISTRY_ONLY
${
  adminUrl === null
    ? ''
    : `
Dashboard (open in a browser): ${adminUrl}/
Admin:   ${adminUrl}/clusters   ${adminUrl}/config_dump   ${adminUrl}/ready
Stats:   ${adminUrl}/stats/prometheus   (istio_requests_total{reporter="source",…} per destination)
`
}
Ctrl-C stops.
`);
  await waitForShutdownSignal();
  await demo.stop();
  return 0;
}
