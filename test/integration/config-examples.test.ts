import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { formatIssue } from '../../lib/config/errors.js';
import { loadConfigFiles } from '../../lib/config/load.js';

const DIR = fileURLToPath(new URL('../../../config-examples/', import.meta.url));

t.test('every file in config-examples loads and validates', async (t) => {
  const files = readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f));
  t.ok(files.length > 0);
  for (const f of files) {
    const r = await loadConfigFiles([join(DIR, f)]);
    t.ok(r.ok, `${f}: ${r.ok ? 'ok' : r.issues.map(formatIssue).join('; ')}`);
  }
});

t.test(
  'the seed example (its cluster file unchanged, a listener, static endpoints) loads together',
  async (t) => {
    const seed = join(DIR, 'seed');
    const r = await loadConfigFiles(
      ['envoy-cluster.json', 'listener.yaml', 'endpoints.yaml'].map((f) => join(seed, f)),
    );
    t.ok(r.ok, r.ok ? 'ok' : r.issues.map(formatIssue).join('; '));
    if (r.ok) t.same(r.warnings, [], 'and without warnings');
  },
);

t.test('the Istio examples load, alone and with the registry they need, without errors', async (t) => {
  const istio = join(DIR, 'istio');
  const files = readdirSync(istio).filter((f) => /\.ya?ml$/.test(f));
  t.ok(files.length >= 4);
  for (const f of files) {
    const r = await loadConfigFiles([join(istio, f)]);
    t.ok(r.ok, `${f}: ${r.ok ? 'ok' : r.issues.map(formatIssue).join('; ')}`);
  }
  for (const [a, b] of [
    ['istio-canary.yaml', 'order-service-registry.yaml'],
    ['istio-mtls.yaml', 'payment-service-registry.yaml'],
  ] as const) {
    const r = await loadConfigFiles([join(istio, a), join(istio, b)]);
    t.ok(r.ok, `${a} + ${b}: ${r.ok ? 'ok' : r.issues.map(formatIssue).join('; ')}`);
    if (r.ok)
      t.ok(
        r.bootstrap.clusters.some((c) => c.name.startsWith('outbound|8080|')),
        'with outbound clusters',
      );
  }
});
