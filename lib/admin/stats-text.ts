/**
 * `/stats` plain text (`name: value`, sorted), rebuilt from the Prometheus exposition by
 * reversing Envoy's tag extraction: `envoy_cluster_upstream_rq{envoy_response_code="200",
 * envoy_cluster_name="x"}` → `cluster.x.upstream_rq_200`. Histograms are left out.
 */

interface Sample {
  name: string;
  labels: Map<string, string>;
  value: string;
}

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseSample(line: string): Sample | null {
  const brace = line.indexOf('{');
  const labels = new Map<string, string>();
  let rest: string;
  let name: string;
  if (brace < 0) {
    const sp = line.indexOf(' ');
    if (sp < 0) return null;
    name = line.slice(0, sp);
    rest = line.slice(sp + 1);
  } else {
    name = line.slice(0, brace);
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/y;
    let pos = brace + 1;
    re.lastIndex = pos;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) {
      labels.set(m[1]!, unescapeLabel(m[2]!));
      pos = re.lastIndex;
    }
    const close = line.indexOf('} ', pos);
    if (close < 0) return null;
    rest = line.slice(close + 2);
  }
  return { name, labels, value: rest.trim() };
}

const SCOPES: ReadonlyArray<readonly [string, string | null, string]> = [
  ['envoy_cluster_', 'envoy_cluster_name', 'cluster'],
  ['envoy_http_', 'envoy_http_conn_manager_prefix', 'http'],
  ['envoy_listener_', 'envoy_listener_address', 'listener'],
  ['envoy_server_', null, 'server'],
];

function envoyName(s: Sample): string {
  for (const [prefix, label, scope] of SCOPES) {
    if (!s.name.startsWith(prefix)) continue;
    let stat = s.name.slice(prefix.length);
    const code = s.labels.get('envoy_response_code');
    const cls = s.labels.get('envoy_response_code_class');
    if (code !== undefined) stat = `${stat}_${code}`;
    else if (cls !== undefined && stat.endsWith('_xx')) stat = `${stat.slice(0, -3)}_${cls}xx`;
    if (label === null) return `${scope}.${stat}`;
    const tag = s.labels.get(label);
    return tag === undefined ? `${scope}.${stat}` : `${scope}.${tag}.${stat}`;
  }
  const extra = [...s.labels].map(([k, v]) => `${k}=${v}`).join(',');
  return extra === '' ? s.name : `${s.name}{${extra}}`;
}

export interface StatsTextOptions {
  /** `?filter=<regex>` on the Envoy name. */
  readonly filter: RegExp | null;
  /** `?usedonly`: Envoy's "used" approximated as non-zero. */
  readonly usedOnly: boolean;
}

export function statsText(prometheus: string, opts: StatsTextOptions): string {
  const histograms = new Set<string>();
  const lines: string[] = [];
  for (const line of prometheus.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (type === 'histogram' && name !== undefined) histograms.add(name);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const s = parseSample(line);
    if (s === null) continue;
    const base = s.name.replace(/_(bucket|sum|count)$/, '');
    if (histograms.has(base) || histograms.has(s.name)) continue;
    if (opts.usedOnly && Number(s.value) === 0) continue;
    const name = envoyName(s);
    if (opts.filter !== null && !opts.filter.test(name)) continue;
    lines.push(`${name}: ${s.value}`);
  }
  lines.sort();
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
