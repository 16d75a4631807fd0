import t from 'tap';
import { ISTIO_JSON_FORMAT, ISTIO_TEXT_FORMAT } from '../../../../../lib/accesslog/istio-formats.js';
import { encodeBootstrapYaml } from '../../../../../lib/config/envoy/encode/yaml.js';
import type { AccessLogConfig, Bootstrap } from '../../../../../lib/config/model.js';
import { loadSidecarConfig } from '../../../../helpers/sidecar.js';
import { load } from '../../encode/round-trip.js';

const REGISTRY = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: orders, namespace: shop}
spec:
  hosts: [orders.shop.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: 18080}}]
`;

function hcmLogs(b: Bootstrap): Array<[string, readonly AccessLogConfig[]]> {
  return b.listeners.flatMap((l) =>
    l.filterChains.map(
      (c) => [`${l.name}/${c.name}`, c.hcm!.accessLog] as [string, readonly AccessLogConfig[]],
    ),
  );
}

const TEXT_LOG: AccessLogConfig = {
  name: 'envoy.access_loggers.file',
  path: '/dev/stdout',
  textFormat: ISTIO_TEXT_FORMAT,
  jsonFormat: null,
};

t.test('no access log unless asked (Istio default profile)', async (t) => {
  const b = loadSidecarConfig(REGISTRY, {
    workload: { namespace: 'shop' },
    sidecar: { inboundPort: 15006, appPort: 9000 },
  }).bootstrap;
  const logs = hcmLogs(b);
  t.ok(logs.length >= 2, 'outbound and inbound HCMs');
  for (const [name, l] of logs) t.same(l, [], name);
});

t.test('the access log goes on every outbound and inbound HCM and survives skiff translate', async (t) => {
  for (const log of [
    TEXT_LOG,
    { ...TEXT_LOG, path: '/var/log/skiff.json', textFormat: null, jsonFormat: ISTIO_JSON_FORMAT },
  ]) {
    const b = loadSidecarConfig(REGISTRY, {
      workload: { namespace: 'shop' },
      sidecar: { inboundPort: 15006, appPort: 9000, accessLog: log },
    }).bootstrap;
    const logs = hcmLogs(b);
    t.ok(
      logs.some(([n]) => n.startsWith('virtualOutbound')),
      'outbound',
    );
    t.ok(
      logs.some(([n]) => n.startsWith('virtualInbound')),
      'inbound',
    );
    for (const [name, l] of logs) t.same(l, [log], name);
    const yaml = encodeBootstrapYaml(b);
    t.match(yaml, log.path === '/dev/stdout' ? /StdoutAccessLog/ : /FileAccessLog/);
    const back = load(yaml, 'translated.yaml');
    for (const [name, l] of hcmLogs(back)) t.same(l, [log], `${name} round-trips`);
  }
});
