import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { tempLogPath } from '../helpers/files.js';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));

function skiff(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [SKIFF, 'validate', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function file(name: string, text: string): string {
  const p = tempLogPath(name).replace(/\.log$/, '.yaml');
  writeFileSync(p, text);
  return p;
}

const SE = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: production}
spec:
  hosts: [reviews.production.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 80, name: http, protocol: HTTP}]
  endpoints: [{address: 10.0.0.1, labels: {version: v1}}]
`;
const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: production}
spec:
  hosts: [reviews]
  http:
    - route: [{destination: {host: reviews}}]
`;
const UNKNOWN_DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: typo, namespace: production}
spec: {host: reveiws}
`;

t.test('the seed canary: istioctl-style lines with hints, a summary, exit 1', async (t) => {
  const seed = tempLogPath('seed').replace(/\.log$/, '.yaml');
  copyFileSync(
    fileURLToPath(new URL('../../../config-examples/istio/istio-canary.yaml', import.meta.url)),
    seed,
  );
  const r = skiff(['-c', seed]);
  t.equal(r.code, 1);
  const lines = r.out.split('\n');
  const first = lines.indexOf(
    `Error [IST0101] (VirtualService production/order-service-vs ${seed}#1 spec.http[0].route[0].destination.host) Referenced host not found: "order-service.production.svc.cluster.local"`,
  );
  t.ok(first >= 0, 'the finding line');
  t.match(lines[first + 1], /^ {4}hint: Add a ServiceEntry/);
  t.match(r.out, `Warning [IST0174] (DestinationRule production/order-service-dr ${seed}#2 spec.host)`);
  t.match(r.out, /\nAnalyzers found 3 errors, 1 warning, 0 info \(docs\/analyze\.md/);
});

t.test('clean Istio resources: the check mark and exit 0', async (t) => {
  const p = file('clean', `${SE}---\n${VS}`);
  const r = skiff(['-c', p]);
  t.equal(r.code, 0, r.out + r.err);
  t.equal(r.out, `✔ No validation issues found when analyzing ${p}.\n`);
});

t.test('warnings pass, unless --strict', async (t) => {
  const p = file('warn', `${SE}---\n${VS}---\n${UNKNOWN_DR}`);
  const r = skiff(['-c', p]);
  t.equal(r.code, 0);
  t.match(r.out, /^Warning \[IST0174\]/);
  t.match(r.out, 'Analyzers found 0 errors, 1 warning, 0 info');
  t.equal(skiff(['-c', p, '--strict']).code, 1);
});

t.test('--output json', async (t) => {
  const p = file('json', `${SE}---\n${VS}---\n${UNKNOWN_DR}`);
  const r = skiff(['-c', p, '--output', 'json', '--strict']);
  t.equal(r.code, 1);
  const doc = JSON.parse(r.out) as {
    ok: boolean;
    summary: { errors: number; warnings: number; info: number };
    findings: {
      code: string;
      severity: string;
      resource: string;
      file: string;
      path: string;
      hint: string;
    }[];
    loadErrors: unknown[];
  };
  t.equal(doc.ok, false);
  t.same(doc.summary, { errors: 0, warnings: 1, info: 0 });
  t.match(doc.findings, [
    {
      code: 'IST0174',
      severity: 'Warning',
      resource: 'DestinationRule production/typo',
      file: `${p}#3`,
      path: 'spec.host',
    },
  ]);
  t.same(doc.loadErrors, []);
  const bad = skiff(['-c', p, '--output', 'yaml']);
  t.equal(bad.code, 2);
  t.match(bad.err, /--output: unknown format "yaml"/);
});

t.test(
  'decode errors of Istio documents are IST0106 findings; other load errors stay on stderr',
  async (t) => {
    const istio = file('schema', `${SE}---\n${VS.replace('    - route:', '    - bogus: 1\n      route:')}`);
    const envoy = file('envoy', 'static_resources: { clusters: [ { name: x, lb_policy: NOPE } ] }\n');
    const r = skiff(['-c', istio, '-c', envoy]);
    t.equal(r.code, 1);
    t.match(
      r.out,
      `Error [IST0106] (VirtualService production/reviews ${istio}#2 spec.http[0]) Schema validation error: unknown field "bogus"`,
    );
    t.match(r.err, `${envoy}: static_resources.clusters[0].lb_policy: unknown value "NOPE"`);
    t.notMatch(r.err, /IST0106/);
    t.match(r.out, 'and 1 load error');
  },
);

t.test('validate and run refuse a config naming a missing certificate file, with its field', async (t) => {
  const dr = file(
    'missing-ca',
    `${SE}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: production}
spec:
  host: reviews.production.svc.cluster.local
  trafficPolicy: {tls: {mode: SIMPLE, caCertificates: /nonexistent/skiff/ca.pem}}
`,
  );
  const v = skiff(['-c', dr, '--namespace', 'production']);
  t.equal(v.code, 1);
  t.match(
    v.err + v.out,
    /missing-ca-[0-9a-f-]*\.yaml#2: spec\.trafficPolicy\.tls\.caCertificates: cannot read \/nonexistent\/skiff\/ca\.pem: no such file or directory/,
  );
  const r = spawnSync(
    process.execPath,
    [
      SKIFF,
      'run',
      '-c',
      dr,
      '--namespace',
      'production',
      '--outbound-port',
      '0',
      '--inbound-port',
      '0',
      '--admin-port',
      '0',
      '--health-port',
      '0',
      '--stats-port',
      '0',
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  t.equal(r.status, 1);
  t.match(r.stderr, /caCertificates: cannot read \/nonexistent\/skiff\/ca\.pem/);
  t.match(r.stderr, /config rejected \(1 error\)/);
  t.notMatch(r.stderr, /unexpected error/);
});
