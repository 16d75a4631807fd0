/**
 * Config entry point: read files → parse YAML/JSON documents → decode each (Envoy v3; Istio
 * later) → merge and cross-check → freeze. Every issue from every file is returned together.
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
      const part = decodeDocument(doc, issues, warnings);
      if (part !== undefined) parts.push(part);
    }
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

function decodeDocument(
  doc: ParsedDocument,
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
): BootstrapPart | undefined {
  const sink: IssueSink = { file: doc.file, issues, warnings };
  if (!isPlainObject(doc.value)) {
    issues.push({ file: doc.file, path: '', message: 'expected a mapping at the top of the document' });
    return undefined;
  }
  if ('apiVersion' in doc.value && 'kind' in doc.value) {
    const kind = typeof doc.value['kind'] === 'string' ? doc.value['kind'] : String(doc.value['kind']);
    issues.push({
      file: doc.file,
      path: 'kind',
      message: `Istio resources are not supported yet (kind ${kind})`,
    });
    return undefined;
  }
  const r = new FieldReader(sink, '', doc.value);
  return isLoadAssignment(doc.value) ? decodeLoadAssignment(sink, r) : decodeBootstrap(sink, r);
}
