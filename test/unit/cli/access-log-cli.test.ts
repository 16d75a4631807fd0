import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { main } from '../../../lib/cli/main.js';

const REGISTRY = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: orders, namespace: shop}
spec:
  hosts: [orders.shop.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: 18080}}]
`;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}

t.test('skiff translate shows the access log; bad format flags are usage errors', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'skiff-alog-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'registry.yaml');
  await writeFile(file, REGISTRY);
  const base = ['translate', '-c', file, '--namespace', 'shop', '--app-port', '9000'];
  const plain = await run(base);
  t.equal(plain.code, 0, plain.err);
  t.notMatch(plain.out, /access_log/, 'off by default');
  const text = await run([...base, '--access-log', '-']);
  t.equal(text.code, 0, text.err);
  t.equal(text.out.match(/StdoutAccessLog/g)?.length, 3, 'outbound and both inbound chains (PERMISSIVE)');
  t.match(text.out, /%UPSTREAM_TRANSPORT_FAILURE_REASON%/);
  const json = await run([...base, '--access-log', path.join(dir, 'a.log'), '--access-log-format', 'json']);
  t.equal(json.code, 0, json.err);
  t.match(json.out, /FileAccessLog/);
  t.match(json.out, /json_format:/);
  t.match(json.out, /upstream_cluster: "?%UPSTREAM_CLUSTER_RAW%/);
  const bad = await run([...base, '--access-log', '-', '--access-log-format', '[%START_TIME%] %NOPE%']);
  t.not(bad.code, 0);
  t.match(bad.err, /--access-log-format: unknown command operator %NOPE%/);
});
