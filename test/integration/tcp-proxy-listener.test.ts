/** tcp_proxy with TLS (upstream and terminated downstream), access log, reload and stop. */
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls';
import t from 'tap';
import type { AccessLogConfig, Bootstrap, FilterChainConfig } from '../../lib/config/model.js';
import { Skiff } from '../../lib/server/skiff.js';
import { createLogger } from '../../lib/util/logger.js';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { hasOpenssl, issueLeaf, makeCa } from '../helpers/pki.js';
import { get, staticCluster } from '../helpers/proxy.js';
import { decode, echo, startTcpServer, TcpClient, tcpBootstrap, tcpProxyConfig } from '../helpers/tcp.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

async function start(b: Bootstrap): Promise<Skiff> {
  return Skiff.start(b, { logger: createLogger('off'), adminPort: 0 });
}

function fileLog(path: string, textFormat: string): AccessLogConfig {
  return { name: 'envoy.access_loggers.file', path, textFormat, jsonFormat: null };
}

t.test('access log line at close, with Envoy TCP values for HTTP-only operators', async (t) => {
  const up = await startTcpServer(echo());
  const path = tempLogPath('tcp');
  const fmt =
    '%UPSTREAM_CLUSTER% %UPSTREAM_HOST% %BYTES_RECEIVED% %BYTES_SENT% %RESPONSE_FLAGS% %PROTOCOL% %RESPONSE_CODE% %REQ(:AUTHORITY)% %DOWNSTREAM_PEER_URI_SAN% %DURATION%\n';
  const skiff = await start(
    tcpBootstrap(staticCluster('backend', up.port), { accessLog: [fileLog(path, fmt)] }),
  );
  t.teardown(async () => {
    await skiff.stop();
    await up.close();
  });
  const c = new TcpClient(skiff.listenerPort('tcp'));
  c.socket.write('abc');
  await c.waitFor(/abc/);
  c.socket.end();
  await c.waitClosed();
  await eventually(async () => {
    try {
      return (await readLogLines(path)).length === 1;
    } catch {
      return false;
    }
  }, 'one log line');
  const [line] = await readLogLines(path);
  t.match(line, new RegExp(`^backend 127\\.0\\.0\\.1:${up.port} 3 3 - - 0 - - \\d+$`));
});

t.test('UF and URX flags when every connect attempt fails', async (t) => {
  const path = tempLogPath('tcp-uf');
  const dead = await startTcpServer(() => {});
  const port = dead.port;
  await dead.close();
  const skiff = await start(
    tcpBootstrap(staticCluster('backend', port), {
      maxConnectAttempts: 2,
      accessLog: [fileLog(path, '%RESPONSE_FLAGS%\n')],
    }),
  );
  t.teardown(() => skiff.stop());
  const c = new TcpClient(skiff.listenerPort('tcp'));
  await c.waitClosed();
  await eventually(async () => {
    try {
      return (await readLogLines(path)).length === 1;
    } catch {
      return false;
    }
  }, 'one log line');
  t.same(await readLogLines(path), ['UF,URX']);
});

t.test('reload changes the cluster for new connections; open ones keep theirs', async (t) => {
  const a = await startTcpServer(echo('A'));
  const b = await startTcpServer(echo('B'));
  const clusters = staticCluster('a', a.port) + staticCluster('b', b.port);
  const skiff = await start(tcpBootstrap(clusters, { clusters: [{ name: 'a', weight: 1 }] }));
  t.teardown(async () => {
    await skiff.stop();
    await a.close();
    await b.close();
  });
  const port = skiff.listenerPort('tcp');
  const old = new TcpClient(port);
  await old.waitFor(/^A/);
  await skiff.reload(tcpBootstrap(clusters, { clusters: [{ name: 'b', weight: 1 }] }));
  t.equal(skiff.listenerPort('tcp'), port, 'same port');
  const fresh = new TcpClient(port);
  await fresh.waitFor(/^B/);
  old.socket.write('x');
  await old.waitFor(/^Ax$/);
  old.destroy();
  fresh.destroy();
});

t.test('stop: open sessions keep working during the drain, then are closed', async (t) => {
  const up = await startTcpServer(echo());
  const skiff = await start(tcpBootstrap(staticCluster('backend', up.port)));
  t.teardown(() => up.close());
  const c = new TcpClient(skiff.listenerPort('tcp'));
  c.socket.write('1');
  await c.waitFor(/^1$/);
  let stopped = false;
  const stopping = skiff.stop().then(() => {
    stopped = true;
  });
  c.socket.write('2');
  await c.waitFor(/^12$/);
  t.notOk(stopped, 'still draining');
  await c.waitClosed(15_000);
  await stopping;
  t.ok(stopped);
});

const skip = hasOpenssl() ? false : 'openssl CLI not installed';

t.test('TLS upstream: the cluster transport applies to raw connections', { skip }, async (t) => {
  const ca = makeCa();
  const leaf = issueLeaf(ca, { dns: ['server.test'] });
  let sni: string | false = false;
  const server = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (s: TLSSocket) => {
    sni = (s as TLSSocket & { servername?: string | false }).servername ?? false;
    s.write('tls:');
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const cluster = `${staticCluster('backend', port)}    transport_socket:
      name: envoy.transport_sockets.tls
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        sni: server.test
        common_tls_context:
          validation_context:
            trusted_ca: { filename: ${ca.certPath} }
            match_typed_subject_alt_names: [{ san_type: DNS, matcher: { exact: server.test } }]
`;
  const skiff = await start(tcpBootstrap(cluster));
  t.teardown(async () => {
    await skiff.stop();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const c = new TcpClient(skiff.listenerPort('tcp'));
  c.socket.write('ping');
  await c.waitFor(/^tls:ping$/);
  t.equal(sni, 'server.test');
  c.destroy();
});

t.test(
  'tls_inspector: a TLS-terminated tcp_proxy chain next to a plaintext HTTP chain',
  { skip },
  async (t) => {
    const ca = makeCa();
    const leaf = issueLeaf(ca, { dns: ['proxy.test'] });
    const up = await startTcpServer(echo());
    const http = await startUpstream('http');
    const yaml = `
static_resources:
  listeners:
  - name: tcp
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    listener_filters: [{ name: envoy.filters.listener.tls_inspector }]
    filter_chains:
    - filter_chain_match: { transport_protocol: tls }
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          common_tls_context:
            tls_certificates:
            - certificate_chain: { filename: ${leaf.certPath} }
              private_key: { filename: ${leaf.keyPath} }
${hcmFilter('tls')}
    - filter_chain_match: { transport_protocol: raw_buffer }
${hcmFilter('plain')}
  clusters:
${staticCluster('backend', up.port)}${staticCluster('web', http.port)}`;
    const base = decode(yaml);
    const [tlsChain, plainChain] = base.listeners[0]!.filterChains as [FilterChainConfig, FilterChainConfig];
    const tcpChain: FilterChainConfig = {
      name: tlsChain.name,
      ...(tlsChain.match === undefined ? {} : { match: tlsChain.match }),
      ...(tlsChain.tls === undefined ? {} : { tls: tlsChain.tls }),
      tcpProxy: tcpProxyConfig(),
    };
    const b: Bootstrap = {
      ...base,
      listeners: [{ ...base.listeners[0]!, filterChains: [tcpChain, plainChain] }],
    };
    const skiff = await start(b);
    t.teardown(async () => {
      await skiff.stop();
      await up.close();
      await http.close();
    });
    const port = skiff.listenerPort('tcp');
    const res = await get(`http://127.0.0.1:${port}/x`);
    t.equal(res.status, 200, 'plaintext HTTP chain still serves');
    const s = tlsConnect({ port, host: '127.0.0.1', ca: ca.certPem, servername: 'proxy.test' });
    t.teardown(() => s.destroy());
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
    });
    s.write('over tls');
    await eventually(() => got === 'over tls', 'echo over the terminated TLS chain');
    t.pass();
  },
);

function hcmFilter(prefix: string): string {
  return `      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ${prefix}
          route_config:
            virtual_hosts:
            - { name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: web } }] }
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }`;
}
