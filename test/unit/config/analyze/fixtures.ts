/** Istio YAML → findings through the real loader, for the analyzer tests. */
import { analyze } from '../../../../lib/config/analyze/analyze.js';
import type { Finding } from '../../../../lib/config/analyze/finding.js';
import { loadConfigText } from '../../../../lib/config/load.js';

/** Loads `text` as a.yaml and analyzes its Istio resources; throws unless every document decoded. */
export function analyzeYaml(text: string): Finding[] {
  const result = loadConfigText(text, 'a.yaml');
  const documents = text.split(/^---$/m).filter((d) => d.trim() !== '').length;
  if (result.istio.length !== documents)
    throw new Error(`fixture does not decode: ${JSON.stringify(result.ok ? [] : result.issues)}`);
  return analyze(result.istio);
}

/** The findings of one code. */
export function codes(findings: readonly Finding[], code: string): Finding[] {
  return findings.filter((f) => f.code === code);
}

/** A ServiceEntry for `hosts` in `ns` with inline endpoints (`address labels…`). */
export function serviceEntry(opts: {
  name: string;
  ns?: string;
  hosts: string[];
  ports?: number[];
  location?: string;
  endpoints?: { address: string; labels?: Record<string, string> }[];
  selector?: Record<string, string>;
}): string {
  const ports = (opts.ports ?? [80])
    .map((p) => `    - {number: ${p}, name: http-${p}, protocol: HTTP}`)
    .join('\n');
  const eps = (opts.endpoints ?? [])
    .map((e) => `    - {address: ${e.address}, labels: ${JSON.stringify(e.labels ?? {})}}`)
    .join('\n');
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${opts.name}, namespace: ${opts.ns ?? 'production'}}
spec:
  hosts: ${JSON.stringify(opts.hosts)}
  location: ${opts.location ?? 'MESH_INTERNAL'}
  resolution: STATIC
  ports:
${ports}
${opts.selector !== undefined ? `  workloadSelector: {labels: ${JSON.stringify(opts.selector)}}` : eps === '' ? '' : `  endpoints:\n${eps}`}
`;
}

/** A WorkloadEntry. */
export function workloadEntry(
  name: string,
  address: string,
  labels: Record<string, string>,
  ns = 'production',
): string {
  return `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ${name}, namespace: ${ns}}
spec: {address: ${address}, labels: ${JSON.stringify(labels)}}
`;
}

/** Joins documents into one multi-document YAML text. */
export function docs(...parts: string[]): string {
  return parts.join('\n---\n');
}
