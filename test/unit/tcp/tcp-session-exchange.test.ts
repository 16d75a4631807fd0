import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls';
import t, { type Test } from 'tap';
import {
  type ExchangeResult,
  exchangePreamble,
  PEER_EXCHANGE_ALPN,
  PeerExchangeReader,
} from '../../../lib/stats/istio/tcp-metadata-exchange.js';
import { proxyWorkloadFrom } from '../../../lib/stats/istio/workload-facts.js';
import type { DownstreamTlsInfo } from '../../../lib/tls/types.js';
import { hasOpenssl, issueLeaf, makeCa, type TestCert } from '../../helpers/pki.js';
import { echo, startTcpServer, TcpClient } from '../../helpers/tcp.js';
import { harness, recordingObservers, TestCluster, testHost, until } from './tcp-fixtures.js';

const WEB = proxyWorkloadFrom({
  namespace: 'shop',
  serviceAccount: 'web',
  name: 'web',
  labels: { app: 'web', version: 'v1' },
  trustDomain: 'cluster.local',
});
const DB = proxyWorkloadFrom({
  namespace: 'data',
  serviceAccount: 'db',
  name: 'db',
  labels: { app: 'db', version: 'v2' },
  trustDomain: 'cluster.local',
});

/** A TLS upstream agreeing to istio-peer-exchange; reads the client's preamble off its first bytes. */
interface ExchangeUpstream {
  readonly port: number;
  readonly sockets: TLSSocket[];
  /** What reading our preamble came to, and the app bytes after it (echoed back). */
  result: ExchangeResult | null;
  app: string;
  /** Echo app bytes back; off until the server has written what must come first. */
  echo: boolean;
}

async function exchangeUpstream(t: Test, cert: TestCert, onSecure: (s: TLSSocket) => void) {
  const u: ExchangeUpstream = { port: 0, sockets: [], result: null, app: '', echo: false };
  const server = createTlsServer(
    { cert: cert.certPem, key: cert.keyPem, ALPNProtocols: [PEER_EXCHANGE_ALPN], allowHalfOpen: true },
    (s) => {
      u.sockets.push(s);
      s.on('error', () => {});
      const reader = new PeerExchangeReader();
      s.on('data', (chunk: Buffer) => {
        if (u.result === null) {
          u.result = reader.push(chunk);
          if (u.result?.kind === 'peer') chunk = u.result.rest;
          else return;
        }
        u.app += chunk.toString('latin1');
        if (u.echo) s.write(chunk);
      });
      s.on('end', () => s.end());
      onSecure(s);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        for (const s of u.sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return Object.assign(u, { port: (server.address() as { port: number }).port });
}

/** A test host whose raw connections are TLS to `port`, offering istio-peer-exchange. */
function tlsHost(port: number, cert: TestCert) {
  return testHost(1, {
    kind: 'custom',
    dial: (cb) => {
      const s = tlsConnect({
        host: '127.0.0.1',
        port,
        ca: cert.caPem,
        servername: 'localhost',
        ALPNProtocols: [PEER_EXCHANGE_ALPN],
      });
      const onError = (e: Error): void => cb(e, null);
      s.once('error', onError);
      s.once('secureConnect', () => {
        s.off('error', onError);
        s.allowHalfOpen = true;
        cb(null, s);
      });
    },
  });
}

t.test(
  'metadata exchange on a TLS upstream with ALPN istio-peer-exchange',
  { skip: !hasOpenssl() },
  async (t) => {
    const cert = issueLeaf(makeCa(), { dns: ['localhost'] });

    t.test('ours goes first, the peer’s is stripped, opened() waits for it', async (t) => {
      const up = await exchangeUpstream(t, cert, () => {});
      const obs = recordingObservers(exchangePreamble(WEB));
      const h = await harness({
        clusters: [new TestCluster('backend', [tlsHost(up.port, cert)])],
        observers: obs,
      });
      t.teardown(() => h.close());
      const c = new TcpClient(h.port);
      c.socket.write('ping');
      await until(() => up.app === 'ping', 'app bytes upstream');
      t.equal(up.result?.kind, 'peer', 'the upstream read our preamble before the app bytes');
      t.equal(up.result?.kind === 'peer' ? up.result.peer?.workload : null, 'web');
      const s = h.sessions[0]!;
      t.equal(s.upstreamAlpn, PEER_EXCHANGE_ALPN);
      t.same(obs.log.events, [], 'not opened before the peer’s preamble');
      // The peer's preamble split across writes, then app bytes in the same chunk as its tail.
      const theirs = exchangePreamble(DB);
      up.sockets[0]!.write(theirs.subarray(0, 5));
      // Not a timing assertion: only a chance for the partial preamble to arrive first.
      await new Promise((r) => setTimeout(r, 20));
      t.same(obs.log.events, [], 'a partial preamble opens nothing');
      up.sockets[0]!.write(Buffer.concat([theirs.subarray(5), Buffer.from('pong')]));
      await c.waitFor(/^pong$/);
      t.same(obs.log.events, ['opened']);
      t.equal(obs.log.peerAtOpen, 'db', 'istioPeer was set before opened()');
      t.equal(s.istioPeer?.workload, 'db');
      t.equal(s.bytesSent, 4, 'preamble bytes are not app bytes');
      t.equal(s.bytesReceived, 4);
      up.echo = true;
      c.socket.write('more');
      await c.waitFor(/^pongmore$/);
      c.socket.end();
      await c.waitClosed();
      await until(() => h.logged.length === 1, 'access log');
      t.same(obs.log.events, ['opened', 'closed']);
    });

    t.test('a peer without a valid preamble passes its bytes through unchanged', async (t) => {
      const up = await exchangeUpstream(t, cert, (s) => s.write('HELLO-not-a-preamble'));
      up.echo = true;
      const obs = recordingObservers(exchangePreamble(WEB));
      const h = await harness({
        clusters: [new TestCluster('backend', [tlsHost(up.port, cert)])],
        observers: obs,
      });
      t.teardown(() => h.close());
      const c = new TcpClient(h.port);
      await c.waitFor(/^HELLO-not-a-preamble$/);
      t.same(obs.log.events, ['opened']);
      t.equal(obs.log.peerAtOpen, null);
      t.equal(h.sessions[0]!.istioPeer, null);
      c.socket.write('x');
      await c.waitFor(/x$/);
      t.equal(c.received, 'HELLO-not-a-preamblex');
      c.destroy();
    });
  },
);

t.test('no exchange on a plaintext upstream even with a preamble configured', async (t) => {
  const up = await startTcpServer(echo());
  t.teardown(() => up.close());
  const obs = recordingObservers(exchangePreamble(WEB));
  const h = await harness({
    clusters: [new TestCluster('backend', [testHost(1, { kind: 'port', port: up.port })])],
    observers: obs,
  });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  c.socket.write('abc');
  await c.waitFor(/^abc$/);
  t.same(obs.log.events, ['opened']);
  c.destroy();
});

const EXCHANGE_TLS: DownstreamTlsInfo = {
  peerUriSans: [],
  peerPrincipal: '',
  peerCertSha256: '',
  localUriSan: '',
  alpn: PEER_EXCHANGE_ALPN,
  version: 'TLSv1.3',
};

t.test('server side: ours at once, the client’s stripped before the app sees a byte', async (t) => {
  const up = await startTcpServer(echo());
  t.teardown(() => up.close());
  const obs = recordingObservers(exchangePreamble(DB));
  const h = await harness({
    clusters: [new TestCluster('backend', [testHost(1, { kind: 'port', port: up.port })])],
    observers: obs,
    downstreamTls: EXCHANGE_TLS,
  });
  t.teardown(() => h.close());
  const c = new TcpClient(h.port);
  const ours = exchangePreamble(DB);
  await until(() => c.received.length >= ours.length, 'our preamble');
  t.ok(Buffer.from(c.received, 'latin1').equals(ours), 'written before any client byte');
  await until(() => h.sessions[0]?.upstreamHost !== null, 'connected');
  c.socket.write(Buffer.concat([exchangePreamble(WEB), Buffer.from('hello')]));
  await until(() => c.received.length === ours.length + 5, 'echo');
  t.equal(c.received.slice(ours.length), 'hello', 'the upstream got the app bytes only');
  t.equal(h.sessions[0]!.istioPeer?.workload, 'web');
  t.same(obs.log.events, ['opened']);
  t.equal(obs.log.peerAtOpen, 'web');
  c.destroy();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.logged[0]!.bytesReceived, 5);
});
