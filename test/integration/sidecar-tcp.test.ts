/**
 * TCP through two sidecars as Istio runs them: a Sidecar egress port (captureMode NONE) on the
 * client, a Sidecar ingress port on the server, ISTIO_MUTUAL between them with the TCP metadata
 * exchange, and Istio's TCP metrics at both reporters.
 */
import net from 'node:net';
import t from 'tap';
import { TestCertificateProvider } from '../helpers/cert-provider.js';
import { hasOpenssl, issueLeaf, makeCa } from '../helpers/pki.js';
import { type PromTextSample, scrapeSamples } from '../helpers/prom-samples.js';
import { checkWithPromtool } from '../helpers/promtool.js';
import { startSidecar, type TestSidecar, tcpEgressYaml, tcpIngressYaml } from '../helpers/sidecar.js';
import { freePort } from '../helpers/skiff-process.js';
import { startEchoApp } from '../helpers/tcp.js';
import { eventually } from '../helpers/wait.js';

const SERVER_ID = 'spiffe://cluster.local/ns/shop/sa/cart';
const CLIENT_ID = 'spiffe://cluster.local/ns/shop/sa/web';
const WEB = { name: 'web', namespace: 'shop', serviceAccount: 'web', labels: { app: 'web', version: 'v1' } };
const CART = {
  name: 'cart',
  namespace: 'shop',
  serviceAccount: 'cart',
  labels: { app: 'cart', version: 'v2' },
};
const HOST = 'cart-db.shop.svc.cluster.local';

/** The one sample of `name` whose labels include `match`, once it reaches `value` (bounded wait). */
async function sampleAt(
  sc: TestSidecar,
  name: string,
  match: Record<string, string>,
  value: number,
): Promise<Record<string, string>> {
  let found: PromTextSample | undefined;
  await eventually(
    async () => {
      found = (await scrapeSamples(sc.adminBase, name)).find((s) =>
        Object.entries(match).every(([k, v]) => s.labels[k] === v),
      );
      return found !== undefined && found.value === value;
    },
    `${name}${JSON.stringify(match)} = ${value}`,
  );
  return found!.labels;
}

/** Connects, writes `send` (after reading `expectFirst` if given), ends and collects the reply until close. */
function exchange(port: number, send: string, expectFirst = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    let sent = false;
    const timer = setTimeout(
      () => s.destroy(new Error(`no reply in time (got ${JSON.stringify(got)})`)),
      10_000,
    );
    const maybeSend = (): void => {
      if (!sent && got.length >= expectFirst.length) {
        sent = true;
        s.end(send);
      }
    };
    s.on('connect', maybeSend);
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      maybeSend();
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

const skip = hasOpenssl() ? false : 'openssl CLI not installed';

t.test('TCP through two sidecars over ISTIO_MUTUAL with the metadata exchange', { skip }, async (t) => {
  const ca = makeCa();
  const server = new TestCertificateProvider(issueLeaf(ca, { uris: [SERVER_ID], name: 'cart' }), SERVER_ID);
  const client = new TestCertificateProvider(issueLeaf(ca, { uris: [CLIENT_ID], name: 'web' }), CLIENT_ID);
  const app = await startEchoApp();
  const inPort = await freePort();
  const outPort = await freePort();
  const dest = await startSidecar(tcpIngressYaml(inPort, 'tcp-db', app.port), {
    workload: CART,
    skiff: { certificates: server },
  });
  const src = await startSidecar(tcpEgressYaml(HOST, outPort, 'tcp-db', inPort, SERVER_ID), {
    workload: WEB,
    skiff: { certificates: client },
  });
  t.teardown(async () => {
    await src.stop();
    await dest.stop();
    await app.close();
  });

  t.equal(await exchange(outPort, 'hello over tcp'), 'hello over tcp', 'echoed end to end');

  const common = { request_protocol: 'tcp', response_flags: '-' };
  const atSrc = await sampleAt(
    src,
    'istio_tcp_connections_closed_total',
    { reporter: 'source', ...common },
    1,
  );
  t.match(atSrc, {
    source_workload: 'web',
    source_principal: CLIENT_ID,
    destination_workload: 'cart',
    destination_app: 'cart',
    destination_version: 'v2',
    destination_principal: SERVER_ID,
    destination_service: HOST,
    destination_service_name: 'cart-db',
    destination_service_namespace: 'shop',
    connection_security_policy: 'unknown',
  });
  t.notOk('response_code' in atSrc, 'TCP metrics carry no response_code');
  await sampleAt(src, 'istio_tcp_connections_opened_total', { reporter: 'source' }, 1);
  await sampleAt(src, 'istio_tcp_received_bytes_total', { reporter: 'source' }, 14);
  await sampleAt(src, 'istio_tcp_sent_bytes_total', { reporter: 'source' }, 14);

  const atDest = await sampleAt(
    dest,
    'istio_tcp_connections_closed_total',
    { reporter: 'destination', ...common },
    1,
  );
  t.match(atDest, {
    source_workload: 'web',
    source_workload_namespace: 'shop',
    source_app: 'web',
    source_principal: CLIENT_ID,
    destination_workload: 'cart',
    destination_principal: SERVER_ID,
    connection_security_policy: 'mutual_tls',
  });
  await sampleAt(dest, 'istio_tcp_received_bytes_total', { reporter: 'destination' }, 14);
  await sampleAt(dest, 'istio_tcp_sent_bytes_total', { reporter: 'destination' }, 14);
  for (const sc of [src, dest])
    await checkWithPromtool(t, await (await fetch(`${sc.adminBase}/stats/prometheus`)).text());

  t.test('a server with the wrong identity: closed before any byte, UF in the source metrics', async (t) => {
    const wrongOut = await freePort();
    const wrong = await startSidecar(
      tcpEgressYaml(HOST, wrongOut, 'tcp-db', inPort, 'spiffe://cluster.local/ns/shop/sa/someone-else'),
      { workload: WEB, skiff: { certificates: client } },
    );
    t.teardown(() => wrong.stop());
    const before = app.connections();
    t.equal(await exchange(wrongOut, 'secret'), '', 'nothing comes back');
    const l = await sampleAt(wrong, 'istio_tcp_connections_closed_total', { response_flags: 'UF' }, 1);
    t.match(l, { reporter: 'source', destination_service: HOST, destination_principal: 'unknown' });
    t.equal(app.connections(), before, 'nothing reached the app');
  });

  t.test('plaintext to the STRICT TCP port is closed without a byte', async (t) => {
    const before = app.connections();
    t.equal(await exchange(inPort, 'no certificate'), '');
    t.equal(app.connections(), before, 'nothing reached the app');
  });
});

t.test(
  'a server-first app works through both sidecars (the exchange does not wait for the client)',
  { skip },
  async (t) => {
    const ca = makeCa();
    const server = new TestCertificateProvider(issueLeaf(ca, { uris: [SERVER_ID], name: 'cart' }), SERVER_ID);
    const client = new TestCertificateProvider(issueLeaf(ca, { uris: [CLIENT_ID], name: 'web' }), CLIENT_ID);
    const app = await startEchoApp('220 ready\r\n');
    const inPort = await freePort();
    const outPort = await freePort();
    const dest = await startSidecar(tcpIngressYaml(inPort, 'tcp-smtp', app.port), {
      workload: CART,
      skiff: { certificates: server },
    });
    const src = await startSidecar(tcpEgressYaml(HOST, outPort, 'tcp-smtp', inPort), {
      workload: WEB,
      skiff: { certificates: client },
    });
    t.teardown(async () => {
      await src.stop();
      await dest.stop();
      await app.close();
    });
    t.equal(await exchange(outPort, 'QUIT\r\n', '220 ready\r\n'), '220 ready\r\nQUIT\r\n');
    const atDest = await sampleAt(dest, 'istio_tcp_connections_closed_total', { reporter: 'destination' }, 1);
    t.equal(atDest.source_workload, 'web', 'metadata exchanged although the server spoke first');
  },
);

t.test(
  'PERMISSIVE inbound TCP: a plaintext client is proxied and reported as connection_security_policy none',
  async (t) => {
    const app = await startEchoApp();
    const inPort = await freePort();
    const dest = await startSidecar(tcpIngressYaml(inPort, 'tcp-db', app.port, null), { workload: CART });
    t.teardown(async () => {
      await dest.stop();
      await app.close();
    });
    t.equal(await exchange(inPort, 'plain bytes'), 'plain bytes');
    const l = await sampleAt(dest, 'istio_tcp_connections_closed_total', { reporter: 'destination' }, 1);
    t.match(l, {
      source_workload: 'unknown',
      source_principal: 'unknown',
      destination_workload: 'cart',
      connection_security_policy: 'none',
      request_protocol: 'tcp',
    });
    await sampleAt(dest, 'istio_tcp_received_bytes_total', { reporter: 'destination' }, 11);
  },
);
