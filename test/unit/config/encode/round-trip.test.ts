import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfigFiles } from '../../../../lib/config/load.js';
import { fill, simpleBootstrap, staticCluster } from '../../../helpers/proxy.js';
import { FULL, minimal } from '../fixtures.js';
import { load, roundTrip, withoutSources } from './round-trip.js';

const EXAMPLES = fileURLToPath(new URL('../../../../../config-examples/', import.meta.url));

function exampleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name !== 'istio') out.push(...exampleFiles(join(dir, e.name)));
    else if (/\.(ya?ml|json)$/.test(e.name)) out.push(join(dir, e.name));
  }
  return out;
}

t.test('every Envoy file in config-examples round-trips', async (t) => {
  let checked = 0;
  for (const file of exampleFiles(EXAMPLES)) {
    if (/^\s*apiVersion:/m.test(readFileSync(file, 'utf8'))) continue;
    const r = await loadConfigFiles([file]);
    if (!r.ok) continue;
    t.strictSame(withoutSources(roundTrip(r.bootstrap)), withoutSources(r.bootstrap), file);
    checked++;
  }
  t.ok(checked >= 2, `${checked} example files checked`);
});

t.test('the seed example (three files together) round-trips', async (t) => {
  const seed = join(EXAMPLES, 'seed');
  const r = await loadConfigFiles(
    ['envoy-cluster.json', 'listener.yaml', 'endpoints.yaml'].map((f) => join(seed, f)),
  );
  t.ok(r.ok);
  if (r.ok) t.strictSame(withoutSources(roundTrip(r.bootstrap)), withoutSources(r.bootstrap));
});

t.test('the test helper bootstraps round-trip', async (t) => {
  const texts: Record<string, string> = {
    simpleBootstrap: fill(simpleBootstrap(), { UPSTREAM: 9 }),
    'simpleBootstrap with routes': fill(
      simpleBootstrap({
        routes: '              - { match: { prefix: /x }, route: { cluster: backend, timeout: 2s } }',
        clusters: `${staticCluster('backend', 1, 2)}${staticCluster('other', 3)}`,
      }),
      {},
    ),
    minimal: minimal(),
    'minimal named': minimal({ name: 'l', port: 0, cluster: 'c' }),
    'fixtures FULL': FULL,
  };
  for (const [name, text] of Object.entries(texts)) {
    const m = load(text);
    t.strictSame(withoutSources(roundTrip(m)), withoutSources(m), name);
  }
});
