/**
 * Config entry point: read files → parse YAML/JSON documents → decode each (Envoy v3, or an
 * Istio resource, which is decoded and checked but not served yet) → merge and cross-check →
 * freeze. Every issue from every file is returned together.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  type BootstrapPart,
  decodeBootstrap,
  decodeDiscoveryResponse,
  decodeLoadAssignment,
  isLoadAssignment,
} from './envoy/bootstrap.js';
import type { ConfigIssue } from './errors.js';
import { deepFreeze } from './freeze.js';
import { decodeIstioDocument, isKubernetesDocument } from './istio/decode.js';
import { mergeParts } from './merge.js';
import type { Bootstrap } from './model.js';
import { type ParsedDocument, parseDocuments } from './parse.js';
import { FieldReader, type IssueSink, isPlainObject } from './reader.js';

export type LoadResult =
  | { readonly ok: true; readonly bootstrap: Bootstrap; readonly warnings: ConfigIssue[] }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

interface FileText {
  readonly name: string;
  readonly text: string | null;
  readonly readError: string | null;
}

/** Loads and merges config files (YAML, multi-document allowed, or JSON). Never throws. */
export async function loadConfigFiles(paths: readonly string[]): Promise<LoadResult> {
  const files = await Promise.all(
    paths.map(async (name): Promise<FileText> => {
      try {
        return { name, text: await readFile(name, 'utf8'), readError: null };
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const reason =
          e.code === 'ENOENT'
            ? 'no such file or directory'
            : e.code === 'EACCES'
              ? 'permission denied'
              : e.message;
        return {
          name,
          text: null,
          readError: `cannot read file: ${reason}${e.code === undefined ? '' : ` (${e.code})`}`,
        };
      }
    }),
  );
  return loadTexts(files);
}

/** Loads one config text (tests, the demo, stdin). Synchronous. */
export function loadConfigText(text: string, fileName: string): LoadResult {
  return loadTexts([{ name: fileName, text, readError: null }]);
}

function loadTexts(files: readonly FileText[]): LoadResult {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const parts: BootstrapPart[] = [];
  const istio: IstioSeen = { firstFile: null };
  let documents = 0;
  for (const f of files) {
    if (f.text === null) {
      issues.push({ file: f.name, path: '', message: f.readError ?? 'cannot read file' });
      continue;
    }
    const parsed = parseDocuments(f.text, f.name);
    issues.push(...parsed.issues);
    for (const doc of parsed.docs) {
      documents++;
      const part = decodeDocument(doc, issues, warnings, istio);
      if (part !== undefined) parts.push(part);
    }
  }
  if (istio.firstFile !== null) {
    issues.push({
      file: istio.firstFile,
      path: 'kind',
      message:
        'Istio resources decode but are not served yet: translation to Envoy comes with the sidecar-mode work',
    });
  }
  const dynamicSources = readDynamicFiles(parts, issues, warnings);
  if (documents === 0 && issues.length === 0) {
    for (const f of files)
      warnings.push({ file: f.name, path: '', message: 'no configuration documents found' });
  }
  const merged = mergeParts(parts, [...files.map((f) => f.name), ...dynamicSources]);
  issues.push(...merged.issues);
  warnings.push(...merged.warnings);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, bootstrap: deepFreeze(merged.bootstrap), warnings };
}

/**
 * Reads the LDS/CDS files that `dynamic_resources` names (paths as written, relative to the
 * working directory as in Envoy) and adds their listeners and clusters. Returns their paths,
 * which the live reload watches too.
 */
function readDynamicFiles(parts: BootstrapPart[], issues: ConfigIssue[], warnings: ConfigIssue[]): string[] {
  const sources: string[] = [];
  for (const ref of parts.flatMap((p) => p.dynamicFiles)) {
    let text: string;
    try {
      text = readFileSync(ref.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      issues.push({
        file: ref.file,
        path: ref.fieldPath,
        message: `cannot read ${ref.kind.toUpperCase()} file ${ref.path}: ${code}`,
      });
      continue;
    }
    sources.push(ref.path);
    const parsed = parseDocuments(text, ref.path);
    issues.push(...parsed.issues);
    for (const doc of parsed.docs) {
      const sink: IssueSink = { file: doc.file, issues, warnings };
      const r = FieldReader.of(sink, '', doc.value);
      if (r !== null) parts.push(decodeDiscoveryResponse(sink, r, ref.kind));
    }
  }
  return sources;
}

/** Where the first Istio resource that decoded cleanly came from (one issue per load). */
interface IstioSeen {
  firstFile: string | null;
}

// Istio objects carry no namespace of their own when applied with `kubectl -n`; Skiff has no -n.
const DEFAULT_NAMESPACE = 'default';

function decodeDocument(
  doc: ParsedDocument,
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
  istio: IstioSeen,
): BootstrapPart | undefined {
  const sink: IssueSink = { file: doc.file, issues, warnings };
  if (!isPlainObject(doc.value)) {
    issues.push({ file: doc.file, path: '', message: 'expected a mapping at the top of the document' });
    return undefined;
  }
  if (isKubernetesDocument(doc.value)) {
    const r = new FieldReader(sink, '', doc.value, false, 'camel');
    if (decodeIstioDocument(sink, r, DEFAULT_NAMESPACE) !== undefined) istio.firstFile ??= doc.file;
    return undefined;
  }
  const r = new FieldReader(sink, '', doc.value);
  return isLoadAssignment(doc.value) ? decodeLoadAssignment(sink, r) : decodeBootstrap(sink, r);
}
