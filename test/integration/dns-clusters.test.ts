import t from 'tap';
import { get, simpleBootstrap, startProxy } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

function dnsCluster(type: 'STRICT_DNS' | 'LOGICAL_DNS', port: number): string {
  return `  - name: backend
    type: ${type}
    dns_lookup_family: V4_ONLY
    connect_timeout: 1s
    load_assignment:
      cluster_name: backend
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: localhost, port_value: ${port} } } }
`;
}

for (const type of ['STRICT_DNS', 'LOGICAL_DNS'] as const) {
  t.test(`${type} cluster resolves its endpoint name and proxies to it`, async (t) => {
    const up = await startUpstream('dns');
    const proxy = await startProxy(simpleBootstrap({ clusters: dnsCluster(type, up.port) }));
    t.teardown(async () => {
      await proxy.stop();
      await up.close();
    });
    const r = await get(`${proxy.base}/via-dns`);
    t.equal(r.status, 200);
    t.equal(r.body, 'dns GET /via-dns');
    const clusters = (await get(`${proxy.adminBase}/clusters`)).body;
    t.match(
      clusters,
      new RegExp(`backend::127\\.0\\.0\\.1:${up.port}::rq_total::1`),
      'host is the resolved address',
    );
  });
}
