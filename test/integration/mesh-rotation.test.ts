/**
 * Certificate rotation under continuous load between two `skiff run` sidecars: both renew their
 * SVIDs several times (short `--cert-ttl`) while requests flow, and none of them fails.
 */
import t from 'tap';
import { Client, Pool } from 'undici';
import { meshCa, meshIssue, startMeshSidecar } from '../helpers/mesh.js';
import { tlsRequest } from '../helpers/tls-client.js';
import { type SeenRequest, startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

const WEB = 'spiffe://cluster.local/ns/shop/sa/web';
const TTL = '5s';
const RENEWALS = 3;

const SERVER_CONFIG = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
`;

function clientConfig(cartPort: number): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart.shop.svc.cluster.local]
  location: MESH_INTERNAL
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports: {http: ${cartPort}}
    labels: {security.istio.io/tlsMode: istio}
    serviceAccount: cart
---
# New upstream connections keep coming, so A's renewed certificates are presented too.
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart
  trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 10}}}
`;
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function renewals(output: string): number {
  return output.match(/renewed workload certificate/g)?.length ?? 0;
}

/** The client certificates (XFCC Hash) of the requests that came through A. */
function clientHashes(requests: readonly SeenRequest[]): Set<string> {
  return new Set(
    requests
      .filter((r) => !r.url.startsWith('/direct') && !r.url.startsWith('/probe'))
      .map((r) => /;Hash=([0-9a-f]+);/.exec(String(r.headers['x-forwarded-client-cert']))?.[1] ?? 'none'),
  );
}

t.test('both sidecars renew several times under load; no request fails', async (t) => {
  const caDir = await meshCa();
  const app = await startUpstream('cart-app');
  t.teardown(() => app.close());
  const b = await startMeshSidecar({
    caDir,
    namespace: 'shop',
    serviceAccount: 'cart',
    yaml: SERVER_CONFIG,
    inbound: true,
    appPort: app.port,
    certTtl: TTL,
  });
  t.teardown(() => b.stop());
  const a = await startMeshSidecar({
    caDir,
    namespace: 'shop',
    serviceAccount: 'web',
    yaml: clientConfig(b.inbound!),
    outbound: true,
    certTtl: TTL,
  });
  t.teardown(() => a.stop());
  const web = await meshIssue(caDir, WEB);
  const served = async (): Promise<string> => {
    const r = await tlsRequest(b.inbound!, { cert: web, ca: web.caPem }, '/probe');
    if (!/^HTTP\/1\.1 200/.test(r.bytes)) throw new Error(`probe failed: ${r.error} ${r.bytes}`);
    return r.serverSerial;
  };
  const firstSerial = await served();

  const origin = `http://127.0.0.1:${a.outbound}`;
  const client = new Client(origin, { keepAliveTimeout: 30_000 });
  const pool = new Pool(origin, { connections: 4 });
  t.teardown(async () => {
    await client.close();
    await pool.close();
  });
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const viaA = async (d: Client | Pool, path: string): Promise<void> => {
    while (running) {
      try {
        const r = await d.request({
          path,
          method: 'GET',
          headers: { host: 'cart' },
          headersTimeout: 5000,
          bodyTimeout: 5000,
        });
        const body = await r.body.text();
        if (r.statusCode === 200) ok++;
        else failures.push(`${path}: ${r.statusCode} ${body}`);
      } catch (err) {
        failures.push(`${path}: ${(err as Error).message}`);
      }
      // Continuous, yet leaving CPU to the tests running alongside (renewals generate RSA keys).
      await pause(2);
    }
  };
  // Fresh handshakes straight to B, so its rotated certificate is served while A's pool is busy.
  const handshakes = async (): Promise<void> => {
    while (running) {
      const r = await tlsRequest(b.inbound!, { cert: web, ca: web.caPem }, '/direct');
      if (/^HTTP\/1\.1 200/.test(r.bytes)) ok++;
      else failures.push(`/direct: ${r.error} ${r.bytes.slice(0, 80)}`);
      await pause(20);
    }
  };
  const load = Promise.all([
    viaA(client, '/seq'),
    ...[1, 2, 3, 4].map((i) => viaA(pool, `/pool${i}`)),
    handshakes(),
  ]);
  const progress = (): string =>
    `renewals A ${renewals(a.proc.output())} B ${renewals(b.proc.output())}, A's certificates at B ${clientHashes(app.requests).size}, ${ok} ok`;
  try {
    await eventually(
      () =>
        renewals(a.proc.output()) >= RENEWALS &&
        renewals(b.proc.output()) >= RENEWALS &&
        clientHashes(app.requests).size >= RENEWALS,
      `${RENEWALS} renewals on each side, and B handed ${RENEWALS} of A's certificates`,
      25_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message} (${progress()})`);
    });
  } finally {
    running = false;
    await load;
  }
  t.same(failures.slice(0, 10), [], 'no failed request');
  t.equal(failures.length, 0);
  t.ok(ok > 0, `requests served during the renewals (${ok})`);
  const lastSerial = await served();
  t.not(lastSerial, firstSerial, 'B serves a new certificate');
  const seen = clientHashes(app.requests);
  t.notOk(seen.has('none'), 'every request through A came with its certificate');
  t.ok(seen.size >= RENEWALS, `B saw A's renewed certificates (${seen.size} client certificates)`);
  t.notMatch(a.proc.output() + b.proc.output(), /renewal failed|error/i);
});
