import t, { type Test } from 'tap';
import type { NetworkRbacConfig, PermissionConfig, PrincipalConfig } from '../../../lib/config/model.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import { NetworkRbacChain } from '../../../lib/tcp/network-rbac.js';
import type { DownstreamTlsInfo } from '../../../lib/tls/types.js';
import { echo, startTcpServer, TcpClient } from '../../helpers/tcp.js';
import { harness, recordingObservers, TestCluster, testHost, until } from './tcp-fixtures.js';

const ANY_P: PermissionConfig = { kind: 'any' };
const ANY_ID: PrincipalConfig = { kind: 'any' };

function filter(
  action: 'ALLOW' | 'DENY' | 'LOG',
  policies: Record<string, [PermissionConfig, PrincipalConfig]>,
  o: Partial<NetworkRbacConfig> = {},
): NetworkRbacConfig {
  return {
    statPrefix: 'tcp.',
    rules: {
      action,
      policies: Object.entries(policies).map(([name, [p, id]]) => ({
        name,
        permissions: [p],
        principals: [id],
      })),
    },
    shadowRules: null,
    shadowRulesStatPrefix: '',
    ...o,
  };
}

const LOOPBACK: PrincipalConfig = { kind: 'remote_ip', cidr: { addressPrefix: '127.0.0.0', prefixLen: 8 } };
const OTHER_NET: PrincipalConfig = { kind: 'remote_ip', cidr: { addressPrefix: '10.0.0.0', prefixLen: 8 } };

async function setup(t: Test, cfgs: readonly NetworkRbacConfig[], tls?: DownstreamTlsInfo) {
  const up = await startTcpServer(echo());
  t.teardown(() => up.close());
  const host = testHost(1, { kind: 'port', port: up.port });
  const registry = new StatsRegistry();
  const obs = recordingObservers();
  const h = await harness({
    clusters: [new TestCluster('backend', [host])],
    networkRbac: new NetworkRbacChain(cfgs, registry),
    observers: obs,
    ...(tls === undefined ? {} : { downstreamTls: tls }),
  });
  t.teardown(() => h.close());
  return { h, host, stats: registry.networkRbacStats('tcp.'), obs };
}

t.test('an allowed connection is proxied and counted allowed', async (t) => {
  const { h, host, stats } = await setup(t, [filter('ALLOW', { local: [ANY_P, LOOPBACK] })]);
  const c = new TcpClient(h.port);
  c.socket.write('hi');
  await c.waitFor(/^hi$/);
  t.equal(host.dials, 1);
  t.equal(stats.allowed.value, 1);
  t.equal(stats.denied.value, 0);
  t.equal(h.sessions[0]?.connectionTerminationDetails, null);
  c.destroy();
});

t.test('a denied connection is closed before any dial, with Envoy details', async (t) => {
  const { h, host, stats, obs } = await setup(t, [filter('ALLOW', { remote: [ANY_P, OTHER_NET] })]);
  const c = new TcpClient(h.port);
  await c.waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(host.dials, 0, 'the upstream was never dialled');
  t.equal(stats.denied.value, 1);
  t.equal(h.sessions[0]?.connectionTerminationDetails, 'rbac_access_denied_matched_policy[none]');
  t.equal(h.logged[0]?.upstreamCluster, null);
  t.same(obs.log.events, ['closed'], 'observed (Istio counts denied connections), never opened upstream');
  t.same(h.scheduler.live(), [], 'no timer left behind');
});

t.test('DENY names the matched policy; filters run in order and stop at the first denial', async (t) => {
  const second = filter('DENY', { 'b-second': [ANY_P, ANY_ID] }, { statPrefix: 'later.' });
  const registry = new StatsRegistry();
  const chain = new NetworkRbacChain(
    [filter('DENY', { 'a-loopback': [ANY_P, LOOPBACK], 'z-any': [ANY_P, ANY_ID] }), second],
    registry,
  );
  const { h, host } = await (async () => {
    const up = await startTcpServer(echo());
    t.teardown(() => up.close());
    const host = testHost(1, { kind: 'port', port: up.port });
    const h = await harness({ clusters: [new TestCluster('backend', [host])], networkRbac: chain });
    t.teardown(() => h.close());
    return { h, host };
  })();
  const c = new TcpClient(h.port);
  await c.waitClosed();
  await until(() => h.logged.length === 1, 'access log');
  t.equal(h.sessions[0]?.connectionTerminationDetails, 'rbac_access_denied_matched_policy[a-loopback]');
  t.equal(host.dials, 0);
  t.equal(registry.networkRbacStats('tcp.').denied.value, 1);
  t.equal(registry.networkRbacStats('later.').denied.value, 0, 'the second filter never ran');
});

t.test('HTTP-only rules never match a connection; shadow rules are only counted', async (t) => {
  const header: PermissionConfig = {
    kind: 'header',
    header: {
      name: 'x',
      match: { kind: 'present', present: false },
      invert: false,
      treatMissingAsEmpty: false,
    },
  };
  const path: PrincipalConfig = { kind: 'url_path', path: { kind: 'prefix', value: '', ignoreCase: false } };
  const cfg = filter(
    'ALLOW',
    { header: [header, ANY_ID], path: [ANY_P, path] },
    {
      shadowRules: { action: 'DENY', policies: [{ name: 's', permissions: [ANY_P], principals: [ANY_ID] }] },
    },
  );
  const { h, host, stats } = await setup(t, [cfg]);
  const c = new TcpClient(h.port);
  await c.waitClosed();
  t.equal(host.dials, 0, 'neither the header nor the path rule allowed it');
  t.equal(stats.denied.value, 1);
  t.equal(stats.shadowDenied.value, 1);
  t.equal(stats.shadowAllowed.value, 0);
});

t.test('a principal over TLS: the peer URI SAN decides', async (t) => {
  const tls: DownstreamTlsInfo = {
    peerUriSans: ['spiffe://td/ns/a/sa/x'],
    peerPrincipal: 'td/ns/a/sa/x',
    peerCertSha256: '',
    localUriSan: '',
    alpn: '',
    version: 'TLSv1.3',
  };
  const x: PrincipalConfig = {
    kind: 'authenticated',
    principalName: { kind: 'exact', value: 'spiffe://td/ns/a/sa/x', ignoreCase: false },
  };
  const { h, stats } = await setup(t, [filter('ALLOW', { x: [ANY_P, x] })], tls);
  const c = new TcpClient(h.port);
  c.socket.write('ok');
  await c.waitFor(/^ok$/);
  t.equal(stats.allowed.value, 1);
  c.destroy();
});
