import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ACCESS_LOG_STATS } from '../../../lib/stats/access-log-stats.js';
import { CERT_STATS } from '../../../lib/stats/cert-stats.js';
import { CIRCUIT_BREAKER_STATS } from '../../../lib/stats/circuit-breaker-stats.js';
import { CLUSTER_STATS } from '../../../lib/stats/cluster-stats.js';
import { CORS_STATS } from '../../../lib/stats/cors-stats.js';
import { FAULT_STATS } from '../../../lib/stats/fault-stats.js';
import { HTTP_STATS } from '../../../lib/stats/http-stats.js';
import { ISTIO_STATS } from '../../../lib/stats/istio/istio-stats.js';
import { LISTENER_STATS } from '../../../lib/stats/listener-stats.js';
import { exposedShape, ISTIO_TAG_NAMES } from '../../../lib/stats/naming.js';
import { NETWORK_RBAC_STATS } from '../../../lib/stats/network-rbac-stats.js';
import { RBAC_STATS } from '../../../lib/stats/rbac-stats.js';
import { RELOAD_STATS } from '../../../lib/stats/reload-stats.js';
import { SERVER_STATS } from '../../../lib/stats/server-stats.js';
import { TCP_STATS } from '../../../lib/stats/tcp-stats.js';
import { TRACING_STATS } from '../../../lib/tracing/tracing-stats.js';

// Compiled to dist/test/unit/stats/, so the repo root is four levels up.
const docPath = fileURLToPath(new URL('../../../../docs/stats.md', import.meta.url));

interface Row {
  name: string;
  type: string;
  labels: string[];
  help: string;
}

function parseDoc(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const m = /^\|\s*`((?:envoy|skiff|istio)_[a-z0-9_]+)`\s*\|([^|]*)\|([^|]*)\|(.*)\|\s*$/.exec(line);
    if (m === null) continue;
    const labels = m[3]!.trim() === '—' ? [] : m[3]!.split(',').map((l) => l.trim().replace(/`/g, ''));
    rows.push({ name: m[1]!, type: m[2]!.trim(), labels, help: m[4]!.trim() });
  }
  return rows;
}

t.test('docs/stats.md lists exactly the declared stats', async (t) => {
  const documented = parseDoc(readFileSync(docPath, 'utf8'));
  const declared = [
    ...CLUSTER_STATS,
    ...CIRCUIT_BREAKER_STATS,
    ...HTTP_STATS,
    ...LISTENER_STATS,
    ...SERVER_STATS,
    ...FAULT_STATS,
    ...CORS_STATS,
    ...RBAC_STATS,
    ...RELOAD_STATS,
    ...CERT_STATS,
    ...ACCESS_LOG_STATS,
    ...ISTIO_STATS,
    ...TRACING_STATS,
    ...TCP_STATS,
    ...NETWORK_RBAC_STATS,
  ].map((d) => ({
    name: d.name,
    type: d.type,
    labels: [...d.labels],
    help: d.help,
  }));
  t.ok(documented.length > 0, 'doc has stat rows');
  const byName = (a: Row, b: Row) => a.name.localeCompare(b.name);
  t.same([...documented].sort(byName), [...declared].sort(byName));
  t.equal(new Set(declared.map((d) => d.name)).size, declared.length, 'names are unique');
});

t.test('docs/stats.md names every label and series that differs in sidecar mode', async (t) => {
  const text = readFileSync(docPath, 'utf8');
  const labels: Record<string, string> = {};
  const series = new Map<string, string>();
  for (const line of text.split('\n')) {
    const l = /^\|[^|`]+\|\s*`(envoy_[a-z_]+)`\s*\|\s*`([a-z_]+)`\s*\|/.exec(line);
    if (l !== null) labels[l[1]!] = l[2]!;
    const s =
      /^\|\s*`[a-z]+\.<[a-z]+>\.[A-Za-z_<>]+`\s*\|\s*`(envoy_[a-z_]+)\{[^|]*\|\s*`(envoy_[a-z_]+)\{/.exec(
        line,
      );
    if (s !== null) series.set(s[1]!, s[2]!);
  }
  t.same(labels, ISTIO_TAG_NAMES, 'label table matches lib/stats/naming.ts');
  const renamed = new Map<string, string>();
  for (const def of [...CLUSTER_STATS, ...CIRCUIT_BREAKER_STATS, ...HTTP_STATS, ...LISTENER_STATS]) {
    const shape = exposedShape(def, 'istio');
    if (shape.name !== def.name) renamed.set(def.name, shape.name);
  }
  t.ok(renamed.size > 0);
  t.same(series, renamed, 'series table lists every series renamed in sidecar mode');
});
