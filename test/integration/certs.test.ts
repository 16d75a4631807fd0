/** Workload certificates through a running Skiff: `/certs`, `skiff_cert_expiry_seconds`, `skiff run --ca-dir/--cert-dir`. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { main } from '../../lib/cli/main.js';
import { CaIssuingProvider } from '../../lib/tls/ca-issuing-provider.js';
import { FileCertificateProvider } from '../../lib/tls/file-certificate-provider.js';
import { inspectCertificate } from '../../lib/tls/pki/inspect.js';
import { WORKLOAD_FILES, writePkiFiles } from '../../lib/tls/pki/pki-files.js';
import { createRootCa } from '../../lib/tls/pki/root-ca.js';
import { issueWorkloadCertificate } from '../../lib/tls/pki/workload-cert.js';
import { createLogger } from '../../lib/util/logger.js';
import { FakeScheduler } from '../helpers/fake-time.js';
import { fill, get, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { eventually } from '../helpers/wait.js';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));
const HOUR = 3_600_000;
const ca = createRootCa({ trustDomain: 'cluster.local' });
const BOOTSTRAP = simpleBootstrap();

interface Details {
  path: string;
  serial_number: string;
  subject_alt_names: Array<Record<string, string>>;
  days_until_expiration: string;
  valid_from: string;
  expiration_time: string;
}
interface CertsJson {
  certificates: Array<{ ca_cert: Details[]; cert_chain: Details[] }>;
}

function expirySample(prom: string): number | null {
  const m = /^skiff_cert_expiry_seconds (-?\d+)$/m.exec(prom);
  return m === null ? null : Number(m[1]);
}

t.test('without certificates: empty /certs, no expiry sample', async (t) => {
  const proxy = await startProxy(BOOTSTRAP, { UPSTREAM: 1 });
  t.teardown(() => proxy.stop());
  const r = await get(`${proxy.adminBase}/certs`);
  t.equal(r.status, 200);
  t.same(JSON.parse(r.body), { certificates: [] });
  t.equal(expirySample((await get(`${proxy.adminBase}/stats/prometheus`)).body), null);
  t.match((await get(`${proxy.adminBase}/help`)).body, /\/certs: print certs on machine/);
});

t.test('an issuing provider: /certs in Envoy shape, gauge, closed on stop', async (t) => {
  const scheduler = new FakeScheduler();
  const id = 'spiffe://cluster.local/ns/shop/sa/cart';
  const certificates = CaIssuingProvider.start({
    ca,
    spiffeId: id,
    ttlMs: 48 * HOUR,
    scheduler,
    logger: createLogger('off'),
  });
  const proxy = await startProxy(BOOTSTRAP, { UPSTREAM: 1 }, { certificates });
  const body = JSON.parse((await get(`${proxy.adminBase}/certs`)).body) as CertsJson;
  t.equal(body.certificates.length, 1);
  const [entry] = body.certificates;
  const leaf = inspectCertificate(certificates.current().certChainPem);
  t.same(entry!.cert_chain, [
    {
      path: '<inline>',
      serial_number: leaf.serialNumber,
      subject_alt_names: [{ uri: id }],
      days_until_expiration: '1',
      valid_from: leaf.notBefore.toISOString(),
      expiration_time: leaf.notAfter.toISOString(),
    },
  ]);
  t.equal(entry!.ca_cert.length, 1);
  t.equal(entry!.ca_cert[0]!.serial_number, inspectCertificate(ca.certPem).serialNumber);
  t.same(entry!.ca_cert[0]!.subject_alt_names, []);
  t.ok(Number(entry!.ca_cert[0]!.days_until_expiration) >= 3649);

  const seconds = expirySample((await get(`${proxy.adminBase}/stats/prometheus`)).body);
  t.ok(seconds !== null && seconds > 47 * 3600 && seconds <= 48 * 3600, `expiry ${seconds}`);
  t.match((await get(`${proxy.adminBase}/stats`)).body, /skiff_cert_expiry_seconds: \d+/);
  t.equal(scheduler.live().length, 1, 'renewal scheduled');
  await proxy.stop();
  t.equal(scheduler.live().length, 0, 'Skiff closed the provider');
});

t.test('a file provider: paths shown, a rotation on disk shows in /certs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-certs-'));
  const write = (spiffeId: string): void => {
    const c = issueWorkloadCertificate({ ca, spiffeId, ttlMs: HOUR });
    writePkiFiles(
      dir,
      [
        { name: WORKLOAD_FILES.certChain, content: c.certChainPem, secret: false },
        { name: WORKLOAD_FILES.key, content: c.privateKeyPem, secret: true },
        { name: WORKLOAD_FILES.rootCert, content: c.rootCertPem, secret: false },
      ],
      true,
    );
  };
  write('spiffe://cluster.local/ns/a/sa/one');
  const certificates = FileCertificateProvider.open({ dir, logger: createLogger('off'), debounceMs: 20 });
  const proxy = await startProxy(BOOTSTRAP, { UPSTREAM: 1 }, { certificates });
  t.teardown(() => proxy.stop());
  const certs = async (): Promise<CertsJson> =>
    JSON.parse((await get(`${proxy.adminBase}/certs`)).body) as CertsJson;
  const first = (await certs()).certificates[0]!;
  t.equal(first.cert_chain[0]!.path, join(dir, 'cert-chain.pem'));
  t.equal(first.ca_cert[0]!.path, join(dir, 'root-cert.pem'));
  t.same(first.cert_chain[0]!.subject_alt_names, [{ uri: 'spiffe://cluster.local/ns/a/sa/one' }]);
  t.equal(first.cert_chain[0]!.days_until_expiration, '0');
  write('spiffe://cluster.local/ns/a/sa/two');
  await eventually(
    async () =>
      (await certs()).certificates[0]!.cert_chain[0]!.subject_alt_names[0]!['uri']!.endsWith('/two'),
    'the rotated certificate in /certs',
  );
  const seconds = expirySample((await get(`${proxy.adminBase}/stats/prometheus`)).body);
  t.ok(seconds !== null && seconds > 0 && seconds <= 3600);
});

t.test('skiff run --ca-dir issues the workload identity', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-run-ca-'));
  const io = { out: () => {}, err: () => {} };
  t.equal(await main(['pki', 'init', '--out', join(root, 'ca')], io), 0);
  const cfg = join(root, 'bootstrap.yaml');
  writeFileSync(cfg, fill(BOOTSTRAP, { UPSTREAM: 1 }));
  const child = spawn(
    process.execPath,
    [
      SKIFF,
      'run',
      '-c',
      cfg,
      '--admin-port',
      '0',
      '--ca-dir',
      join(root, 'ca'),
      '--cert-ttl',
      '12h',
      '--namespace',
      'shop',
      '--service-account',
      'cart',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
  await eventually(() => /admin listening on [\d.]+:\d+/.test(out), `the admin line (${out}${err})`);
  const port = /admin listening on [\d.]+:(\d+)/.exec(out)![1];
  const body = JSON.parse((await get(`http://127.0.0.1:${port}/certs`)).body) as CertsJson;
  t.same(body.certificates[0]!.cert_chain[0]!.subject_alt_names, [
    { uri: 'spiffe://cluster.local/ns/shop/sa/cart' },
  ]);
  const seconds = expirySample((await get(`http://127.0.0.1:${port}/stats/prometheus`)).body);
  t.ok(seconds !== null && seconds > 11 * 3600 && seconds <= 12 * 3600, `12h (${seconds})`);
  t.match(err, /issued workload certificate spiffe:\/\/cluster.local\/ns\/shop\/sa\/cart/);
});

t.test('skiff run certificate flag errors', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-run-ca-'));
  const cfg = join(root, 'bootstrap.yaml');
  writeFileSync(cfg, fill(BOOTSTRAP, { UPSTREAM: 1 }));
  const cases: Array<[string[], number, RegExp]> = [
    [['--cert-dir', root, '--ca-dir', root], 2, /--cert-dir and --ca-dir exclude each other/],
    [['--cert-ttl', '1h'], 2, /--cert-ttl needs --ca-dir/],
    [['--ca-dir', root, '--cert-ttl', 'soon'], 2, /--cert-ttl: invalid ttl "soon"/],
    [['--ca-dir', root], 1, /--ca-dir .*lacks ca-cert.pem and ca-key.pem/],
    [['--cert-dir', root], 1, /--cert-dir .*cannot read the certificate chain .*cert-chain.pem/],
  ];
  for (const [flags, code, reason] of cases) {
    let err = '';
    const rc = await main(['run', '-c', cfg, '--admin-port', '0', '--log-level', 'off', ...flags], {
      out: () => {},
      err: (s) => void (err += s),
    });
    t.equal(rc, code, flags.join(' '));
    t.match(err, reason, flags.join(' '));
  }
});
