/** Decodes Istio YAML the way load.ts does, for the istio-*.test.ts files. */
import { formatIssue } from '../../../lib/config/errors.js';
import { decodeIstioDocument } from '../../../lib/config/istio/decode.js';
import type { IstioResource } from '../../../lib/config/istio/model.js';
import { parseDocuments } from '../../../lib/config/parse.js';
import { FieldReader, type IssueSink } from '../../../lib/config/reader.js';

export interface Decoded {
  readonly resources: IstioResource[];
  /** `path: message` (file names left out). */
  readonly issues: string[];
  readonly warnings: string[];
}

/** Decodes every document of `text` in namespace `ns` (default "default"). */
export function decodeYaml(text: string, ns = 'default'): Decoded {
  const parsed = parseDocuments(text, 'f.yaml');
  const sink: IssueSink = { file: 'f.yaml', issues: [...parsed.issues], warnings: [] };
  const resources: IstioResource[] = [];
  for (const doc of parsed.docs) {
    const r = FieldReader.of(sink, '', doc.value, 'camel');
    if (r === null) continue;
    const res = decodeIstioDocument(sink, r, ns);
    if (res !== undefined) resources.push(res);
  }
  const strip = (s: string) => s.replace(/^f\.yaml(#\d+)?: /, '');
  return {
    resources,
    issues: sink.issues.map((i) => strip(formatIssue(i))),
    warnings: sink.warnings.map((i) => strip(formatIssue(i))),
  };
}

/** The spec decoded from one document with `kind` and `spec` (YAML, indented by 2). */
export function spec(kind: string, body: string, apiVersion?: string): string {
  const group = kind === 'PeerAuthentication' || kind === 'AuthorizationPolicy' ? 'security' : 'networking';
  return `apiVersion: ${apiVersion ?? `${group}.istio.io/v1`}
kind: ${kind}
metadata:
  name: x
spec:
${body}`;
}

/** Issues only, for bad-input tables. */
export function issuesOf(kind: string, body: string): string[] {
  return decodeYaml(spec(kind, body)).issues;
}

/** The one resource of a document that must decode cleanly. */
export function one<K extends IstioResource['kind']>(
  kind: K,
  body: string,
): Extract<IstioResource, { kind: K }> {
  const d = decodeYaml(spec(kind, body));
  if (d.issues.length > 0 || d.resources.length !== 1)
    throw new Error(`did not decode: ${d.issues.join('; ')}`);
  return d.resources[0] as Extract<IstioResource, { kind: K }>;
}
