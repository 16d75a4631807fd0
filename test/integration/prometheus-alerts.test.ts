/**
 * A real Prometheus scrapes two Skiff sidecars under traffic and evaluates the seed's alert rules
 * unchanged: dashboards and alerts written against Istio's and Envoy's names work on Skiff.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import {
  type PromAlert,
  type PrometheusServer,
  prometheusConfig,
  prometheusMissing,
  startPrometheus,
} from '../helpers/prometheus.js';
import { get } from '../helpers/proxy.js';
import { startSidecar, type TestSidecar } from '../helpers/sidecar.js';
import { type FakeUpstream, startUpstream } from '../helpers/upstream.js';

const RULES = fileURLToPath(new URL('../../../test/fixtures/prometheus-alerts.yaml', import.meta.url));
/** Every wait on Prometheus polls this often, up to this long. */
const POLL_MS = 250;
const WAIT_MS = 60_000;
/** The latency injected on `delayed` (a VirtualService fault delay for every request). */
const DELAY_MS = 300;

const WEB = { name: 'web', namespace: 'shop', serviceAccount: 'web', labels: { app: 'web', version: 'v1' } };
const CART = {
  name: 'cart',
  namespace: 'shop',
  serviceAccount: 'cart',
  labels: { app: 'cart', version: 'v2' },
};

function serviceEntry(name: string, port: number): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${name}, namespace: shop}
spec:
  hosts: [${name}.shop.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: ${port}}}]
`;
}

/** The client sidecar's view of the mesh: cart behind its own sidecar, a pooled slow service, a delayed one. */
function clientConfig(cartInbound: number, slowPort: number, delayedPort: number): string {
  return [
    serviceEntry('cart', cartInbound),
    serviceEntry('slow', slowPort),
    `${serviceEntry('delayed', delayedPort)}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: slow, namespace: shop}
spec:
  host: slow.shop.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 1}
      http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: delayed, namespace: shop}
spec:
  hosts: [delayed.shop.svc.cluster.local]
  http:
    - fault: {delay: {fixedDelay: ${DELAY_MS}ms, percentage: {value: 100}}}
      route: [{destination: {host: delayed.shop.svc.cluster.local}}]
`,
  ].join('---\n');
}

/**
 * The seed's rules with every `for:` (3m, 5m, 1m) rewritten to `0s` so an alert fires on the
 * first evaluation that holds instead of minutes later; the expressions are left as written.
 */
function rulesWithoutHold(): string {
  let n = 0;
  const text = readFileSync(RULES, 'utf8').replace(/^(\s+for:\s*)\S+$/gm, (_m, lead: string) => {
    n++;
    return `${lead}0s`;
  });
  if (n !== 3) throw new Error(`expected 3 "for:" lines in ${RULES}, found ${n}`);
  return text;
}

/** Keeps requests flowing until stopped; counts answers by status. */
class Traffic {
  private running = true;
  private readonly loops: Promise<void>[] = [];
  readonly statuses = new Map<string, number>();

  /** `parallel` loops, each sending `burst` concurrent requests to `host` and waiting for all. */
  add(port: number, host: string, parallel: number, burst = 1): void {
    for (let i = 0; i < parallel; i++) this.loops.push(this.loop(port, host, burst));
  }

  private async loop(port: number, host: string, burst: number): Promise<void> {
    const one = (): Promise<void> =>
      get(`http://127.0.0.1:${port}/work`, { headers: { host: `${host}:8080` } }).then(
        (r) => this.count(`${host} ${r.status}`),
        () => this.count(`${host} error`),
      );
    while (this.running) {
      await Promise.all(Array.from({ length: burst }, one));
      // Paces the loop: the machine is shared, and a few dozen requests a second are plenty.
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private count(key: string): void {
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/** Polls `probe` every POLL_MS until it returns a value; throws with `context()` after WAIT_MS. */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  context: () => string,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let lastError = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}; ${lastError}\n${context()}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function firing(
  alerts: readonly PromAlert[],
  name: string,
  match: (a: PromAlert) => boolean,
): PromAlert | undefined {
  return alerts.find((a) => a.labels.alertname === name && a.state === 'firing' && match(a));
}

const skip = prometheusMissing();

t.test('the seed alert rules on a real Prometheus scraping two sidecars', { skip }, async (t) => {
  const apps: FakeUpstream[] = [];
  const sidecars: TestSidecar[] = [];
  const traffic = new Traffic();
  let prom: PrometheusServer | null = null;
  t.teardown(async () => {
    await traffic.stop();
    await prom?.stop();
    for (const s of sidecars) await s.stop();
    for (const a of apps) await a.close();
  });
  let served = 0;
  // Every 20th request fails: a 5 % error rate, five times the rule's 1 % threshold.
  const cartApp = await startUpstream('cart', (_req, res) => {
    served++;
    res.writeHead(served % 20 === 0 ? 500 : 200, { 'content-type': 'text/plain' });
    res.end('cart');
  });
  // Each request holds the pool's only connection for 200 ms: of a burst of four, one is sent,
  // one waits as the single pending request and two overflow.
  const slowApp = await startUpstream('slow', (_req, res) => {
    setTimeout(() => res.end('slow'), 200);
  });
  const delayedApp = await startUpstream('delayed');
  apps.push(cartApp, slowApp, delayedApp);

  const server = await startSidecar(
    `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: PERMISSIVE}}
`,
    {
      workload: CART,
      sidecar: { inboundPort: 0, appPort: cartApp.port },
      skiff: { statsPort: 0, probeAddress: '127.0.0.1' },
    },
  );
  sidecars.push(server);
  const client = await startSidecar(clientConfig(server.inbound ?? -1, slowApp.port, delayedApp.port), {
    workload: WEB,
  });
  sidecars.push(client);

  // The client sidecar is scraped on its admin port, the server sidecar on its stats port (15090's role).
  const clientTarget = client.adminBase.replace('http://', '');
  const serverTarget = `127.0.0.1:${server.skiff.probePort('stats')}`;
  prom = await startPrometheus((dir) => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, rulesWithoutHold());
    return prometheusConfig(
      [
        { address: clientTarget, name: 'web' },
        { address: serverTarget, name: 'cart' },
      ],
      rules,
    );
  });
  const p = prom;
  const context = (): string =>
    `traffic: ${JSON.stringify(Object.fromEntries(traffic.statuses))}\nprometheus output:\n${p.output()}`;

  traffic.add(client.outbound, 'cart.shop', 2);
  traffic.add(client.outbound, 'slow.shop', 1, 4);
  traffic.add(client.outbound, 'delayed.shop', 2);

  await t.test('both sidecars are scraped', async (t) => {
    const targets = await until(
      'both targets up',
      async () => {
        const h = await p.targets();
        return Object.values(h).length === 2 && Object.values(h).every((x) => x === 'up') ? h : undefined;
      },
      context,
    );
    t.same(
      Object.keys(targets).sort(),
      [`http://${clientTarget}/stats/prometheus`, `http://${serverTarget}/stats/prometheus`].sort(),
    );
  });

  await t.test('IstioHigh5xxRate fires for an upstream answering 5 % 500s', async (t) => {
    const alert = await until(
      'IstioHigh5xxRate firing for cart',
      async () =>
        firing(await p.alerts(), 'IstioHigh5xxRate', (a) => a.labels.destination_service_name === 'cart'),
      context,
    );
    t.equal(alert.labels.destination_service_name, 'cart');
    const ratio = await p.query(
      'sum(rate(istio_requests_total{reporter="source", destination_service_name="cart", response_code=~"5.."}[5m]))' +
        ' / sum(rate(istio_requests_total{reporter="source", destination_service_name="cart"}[5m]))',
    );
    t.equal(ratio.length, 1);
    // Around 5 %: rate() extrapolates each series from its own first sample, so not exactly.
    t.ok(ratio[0]!.value > 0.01 && ratio[0]!.value < 0.2, `5xx ratio ${ratio[0]?.value} is near 0.05`);
    const alerts = await p.alerts();
    t.notOk(
      firing(alerts, 'IstioHigh5xxRate', (a) => a.labels.destination_service_name === 'delayed'),
      'no 5xx alert for the healthy service',
    );
    const inbound = await p.query(
      'sum(istio_requests_total{reporter="destination", instance_name="cart", response_code="500"})',
    );
    t.ok((inbound[0]?.value ?? 0) > 0, 'the server sidecar reports the same 500s as destination');
  });

  await t.test('IstioUpstreamPendingOverflow fires when the breaker overflows', async (t) => {
    const alert = await until(
      'IstioUpstreamPendingOverflow firing',
      async () =>
        firing(await p.alerts(), 'IstioUpstreamPendingOverflow', (a) =>
          Object.values(a.labels).some((v) => v.includes('slow.shop.svc.cluster.local')),
        ),
      context,
    );
    t.equal(alert.labels.instance_name, 'web', 'reported by the client sidecar');
    t.ok((traffic.statuses.get('slow.shop 503') ?? 0) > 0, 'the overflowed requests got 503s');
    const uo = await p.query('sum(istio_requests_total{reporter="source", response_flags="UO"})');
    t.ok((uo[0]?.value ?? 0) > 0, 'istio_requests_total flags them UO');
  });

  await t.test('P99 from histogram_quantile matches the injected delay', async (t) => {
    const expr =
      'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="source",' +
      ' destination_service_name="delayed"}[1m])) by (le, destination_service_name))';
    const p99 = await until(
      'a P99 for delayed',
      async () => {
        const r = await p.query(expr);
        return r.length === 1 && Number.isFinite(r[0]!.value) ? r[0]!.value : undefined;
      },
      context,
    );
    // Every request takes DELAY_MS plus a little, so it lands in Envoy's (250, 500] bucket and
    // histogram_quantile interpolates within that bucket's bounds.
    t.ok(p99 > 250 && p99 <= 500, `P99 ${p99} ms is in the bucket around ${DELAY_MS} ms`);
    const bucket = async (le: string): Promise<number> =>
      (
        await p.query(
          `sum(istio_request_duration_milliseconds_bucket{reporter="source", destination_service_name="delayed", le="${le}"})`,
        )
      )[0]?.value ?? Number.NaN;
    t.equal(await bucket('250'), 0, 'no request was faster than the injected delay');
    t.ok((await bucket('500')) > 0, 'requests land at most one bucket above it');
  });
});
