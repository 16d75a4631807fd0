/** mTLS handshakes between certificates issued by `skiff pki` with ECDSA P-256 and RSA keys. */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type SecureVersion, type TLSSocket } from 'node:tls';
import t from 'tap';
import { certificateRequestFrom, openCertificateProvider } from '../../lib/cli/cert-args.js';
import { main } from '../../lib/cli/main.js';
import { createLogger } from '../../lib/util/logger.js';

const SERVER_ID = 'spiffe://cluster.local/ns/default/sa/server';
const CLIENT_ID = 'spiffe://cluster.local/ns/default/sa/client';
const root = mkdtempSync(join(tmpdir(), 'skiff-pki-ec-mtls-'));

/** Workload files as `skiff pki issue` writes them. */
interface Workload {
  readonly cert: string;
  readonly key: string;
  readonly root: string;
}

async function skiff(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(argv, { out: () => {}, err: (s) => void (err += s) });
  return { code, err };
}

async function initCa(name: string, keyType: string): Promise<string> {
  const dir = join(root, name);
  const r = await skiff(['pki', 'init', '--out', dir, '--key-type', keyType]);
  if (r.code !== 0) throw new Error(r.err);
  return dir;
}

async function issue(ca: string, id: string, keyType: string): Promise<Workload> {
  const out = mkdtempSync(join(root, 'w-'));
  const r = await skiff([
    'pki',
    'issue',
    '--ca',
    ca,
    '--spiffe',
    id,
    '--out',
    out,
    '--key-type',
    keyType,
    '--force',
  ]);
  if (r.code !== 0) throw new Error(r.err);
  const read = (f: string): string => readFileSync(join(out, f), 'utf8');
  return { cert: read('cert-chain.pem'), key: read('key.pem'), root: read('root-cert.pem') };
}

interface Outcome {
  /** The server saw a client certificate that verified, and its URI SAN. */
  readonly clientAuthorized: boolean;
  readonly clientUri: string;
  readonly serverAuthorized: boolean;
  readonly serverKeyType: string;
  readonly reply: string;
  readonly error: string;
}

/** One handshake: a node:tls server requiring client certificates, and a client verifying the server. */
async function handshake(server: Workload, client: Workload, maxVersion?: SecureVersion): Promise<Outcome> {
  let clientAuthorized = false;
  let clientUri = '';
  const srv = createServer(
    { cert: server.cert, key: server.key, ca: server.root, requestCert: true, rejectUnauthorized: true },
    (s: TLSSocket) => {
      clientAuthorized = s.authorized;
      clientUri = s.getPeerCertificate().subjectaltname ?? '';
      s.end('authorized');
    },
  );
  srv.on('tlsClientError', () => {});
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  try {
    return await new Promise<Outcome>((resolve) => {
      let reply = '';
      let serverAuthorized = false;
      let serverKeyType = '';
      const s = connect({
        host: '127.0.0.1',
        port,
        cert: client.cert,
        key: client.key,
        ca: client.root,
        // SVIDs carry no DNS name: identity is the SPIFFE ID, checked below.
        checkServerIdentity: () => undefined,
        ...(maxVersion === undefined ? {} : { maxVersion }),
      });
      const done = (error: string): void => {
        clearTimeout(timer);
        s.destroy();
        resolve({ clientAuthorized, clientUri, serverAuthorized, serverKeyType, reply, error });
      };
      const timer = setTimeout(() => done('timeout'), 5000);
      s.on('secureConnect', () => {
        serverAuthorized = s.authorized;
        const peer = s.getPeerX509Certificate();
        serverKeyType = peer?.publicKey.asymmetricKeyType ?? '';
      });
      s.on('data', (d: Buffer) => void (reply += d.toString()));
      s.on('end', () => done(''));
      s.on('error', (e) => done(e.message));
    });
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

t.test('EC server and client certificates from an EC CA authorize each other', async (t) => {
  const ca = await initCa('ec-ca', 'ec');
  t.equal(new X509Certificate(readFileSync(join(ca, 'ca-cert.pem'))).publicKey.asymmetricKeyType, 'ec');
  const server = await issue(ca, SERVER_ID, 'ec');
  const client = await issue(ca, CLIENT_ID, 'ec');
  for (const version of [undefined, 'TLSv1.2' as const]) {
    const r = await handshake(server, client, version);
    t.equal(r.error, '', `${version ?? 'TLSv1.3'}: no error`);
    t.equal(r.reply, 'authorized');
    t.ok(r.serverAuthorized, 'client verified the server chain');
    t.ok(r.clientAuthorized, 'server verified the client chain');
    t.equal(r.clientUri, `URI:${CLIENT_ID}`);
    t.equal(r.serverKeyType, 'ec');
  }
});

t.test('mixed RSA and EC: EC leaves under an RSA CA, RSA leaves under an EC CA', async (t) => {
  const rsaCa = await initCa('rsa-ca', 'rsa');
  const ecCa = await initCa('ec-ca-2', 'ec');
  const a = await handshake(await issue(rsaCa, SERVER_ID, 'ec'), await issue(rsaCa, CLIENT_ID, 'rsa'));
  t.equal(a.error, '');
  t.ok(a.clientAuthorized && a.serverAuthorized, 'RSA CA: EC server, RSA client');
  t.equal(a.serverKeyType, 'ec');
  const b = await handshake(
    await issue(ecCa, SERVER_ID, 'rsa'),
    await issue(ecCa, CLIENT_ID, 'ec'),
    'TLSv1.2',
  );
  t.equal(b.error, '');
  t.ok(b.clientAuthorized && b.serverAuthorized, 'EC CA: RSA server, EC client (TLS 1.2)');
  t.equal(b.serverKeyType, 'rsa');
  t.equal(b.clientUri, `URI:${CLIENT_ID}`);
});

t.test('a client certificate from another EC CA is refused', async (t) => {
  const ca = await initCa('ec-ca-3', 'ec');
  const other = await initCa('ec-ca-4', 'ec');
  const server = await issue(ca, SERVER_ID, 'ec');
  const stranger = await issue(other, CLIENT_ID, 'ec');
  const r = await handshake(server, { ...stranger, root: server.root });
  t.notOk(r.clientAuthorized);
  t.not(r.reply, 'authorized');
});

t.test('skiff run --ca-dir --cert-key-type ec issues an EC identity that handshakes', async (t) => {
  const ca = await initCa('run-ca', 'rsa');
  const req = certificateRequestFrom({ 'ca-dir': ca, 'cert-key-type': 'ec' });
  t.same(req, { kind: 'ca', dir: ca, ttlMs: 86_400_000, keyType: 'ec' });
  const provider = await openCertificateProvider(
    req,
    { namespace: 'default', serviceAccount: 'server', name: '', labels: {}, trustDomain: 'cluster.local' },
    createLogger('off'),
  );
  t.teardown(() => provider?.close());
  const own = provider?.current();
  if (own === undefined || own === null) throw new Error('no certificate');
  const server = { cert: own.certChainPem, key: own.privateKeyPem, root: own.rootCertPem };
  t.equal(new X509Certificate(own.certChainPem).publicKey.asymmetricKeyType, 'ec');
  const r = await handshake(server, await issue(ca, CLIENT_ID, 'rsa'));
  t.equal(r.error, '');
  t.ok(r.clientAuthorized && r.serverAuthorized);
  t.equal(r.serverKeyType, 'ec');
});

t.test('--key-type and --cert-key-type usage errors exit 2', async (t) => {
  const ca = await initCa('err-ca', 'ec');
  const out = join(root, 'never');
  for (const argv of [
    ['pki', 'init', '--out', out, '--key-type', 'ecdsa'],
    ['pki', 'issue', '--ca', ca, '--spiffe', CLIENT_ID, '--out', out, '--key-type', 'p256'],
  ]) {
    const r = await skiff(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err, /--key-type: unknown key type ".+" \(supported: rsa, ec\)/);
  }
  t.throws(() => certificateRequestFrom({ 'ca-dir': ca, 'cert-key-type': 'dsa' }), {
    code: 'SKIFF_ERR_USAGE',
    message: /--cert-key-type: unknown key type "dsa"/,
  });
  t.throws(() => certificateRequestFrom({ 'cert-key-type': 'ec' }), {
    message: /--cert-key-type needs --ca-dir/,
  });
});
