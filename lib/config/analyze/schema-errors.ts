/**
 * IST0106: the loader's decode errors for Istio documents, reported as istioctl reports schema
 * validation errors. An issue belongs to an Istio document when it names a Kubernetes-style
 * document (`apiVersion` + `kind`) that did not decode, or is a YAML error in a file holding such
 * documents; every other issue (Envoy bootstrap, translation, unreadable files) stays a load error.
 */
import { readFile } from 'node:fs/promises';
import type { ConfigIssue } from '../errors.js';
import { isKubernetesDocument } from '../istio/decode.js';
import type { SourcedResource } from '../istio/sourced.js';
import { type ParsedDocument, parseDocuments } from '../parse.js';
import { isPlainObject } from '../reader.js';
import { CODES, type Finding } from './finding.js';

/** Load issues split into IST0106 findings and the issues that stay load errors. */
export interface SchemaSplit {
  readonly findings: Finding[];
  readonly rest: ConfigIssue[];
}

/** The documents of the config files (unreadable or unparsable files give none). */
export async function readDocuments(paths: readonly string[]): Promise<ParsedDocument[]> {
  const out: ParsedDocument[] = [];
  for (const p of paths) {
    try {
      out.push(...parseDocuments(await readFile(p, 'utf8'), p).docs);
    } catch {
      // The loader reports unreadable files itself.
    }
  }
  return out;
}

function kubernetesDocument(doc: ParsedDocument): Record<string, unknown> | null {
  return isPlainObject(doc.value) && isKubernetesDocument(doc.value) ? doc.value : null;
}

function nameOf(doc: Record<string, unknown>, defaultNamespace: string): string {
  const meta = isPlainObject(doc.metadata) ? doc.metadata : {};
  const str = (v: unknown, dflt: string) => (typeof v === 'string' && v !== '' ? v : dflt);
  return `${str(doc.kind, 'Unknown')} ${str(meta.namespace, defaultNamespace)}/${str(meta.name, '<unnamed>')}`;
}

/** Moves the issues of Istio documents out of `issues` into IST0106 findings. */
export function schemaValidationFindings(
  issues: readonly ConfigIssue[],
  documents: readonly ParsedDocument[],
  decoded: readonly SourcedResource[],
  defaultNamespace: string,
): SchemaSplit {
  const decodedFiles = new Set(decoded.map((d) => d.file));
  const byFile = new Map(documents.map((d) => [d.file, d]));
  const filesWithIstio = new Set(
    documents.filter((d) => kubernetesDocument(d) !== null).map((d) => d.file.replace(/#\d+$/, '')),
  );
  const findings: Finding[] = [];
  const rest: ConfigIssue[] = [];
  for (const issue of issues) {
    const doc = byFile.get(issue.file);
    const k8s = doc === undefined ? null : kubernetesDocument(doc);
    const istioDoc = k8s !== null && !decodedFiles.has(issue.file);
    const yamlError = doc === undefined && filesWithIstio.has(issue.file) && issue.message.startsWith('YAML');
    if (!istioDoc && !yamlError) {
      rest.push(issue);
      continue;
    }
    findings.push({
      code: 'IST0106',
      severity: CODES.IST0106.severity,
      resource: k8s === null ? '' : nameOf(k8s, defaultNamespace),
      file: issue.file,
      path: issue.path,
      message: `Schema validation error: ${issue.message}`,
      hint:
        issue.path === ''
          ? 'Fix the document so it parses and names a supported apiVersion and kind.'
          : `Fix ${issue.path} as the message says (unknown fields and out-of-range values are rejected, as istiod's validation does).`,
    });
  }
  return { findings, rest };
}
