/**
 * Config entry point: read files → parse YAML/JSON documents → decode each (Envoy v3, or an
 * Istio resource) → translate the Istio resources for the sidecar's workload → merge and
 * cross-check → freeze. Every issue from every file is returned together.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readFailure } from '../util/fs-errors.js';
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
import { DEFAULT_SIDECAR_OPTIONS, type SidecarOptions } from './istio/sidecar-options.js';
import type { SourcedResource } from './istio/sourced.js';
import { translateIstio } from './istio/translate/translate.js';
import { mergeParts } from './merge.js';
import type { Bootstrap } from './model.js';
import { type ParsedDocument, parseDocuments } from './parse.js';
import { FieldReader, type IssueSink, isPlainObject } from './reader.js';
import { checkTlsFiles, type TlsFileRef } from './tls-files.js';

export type LoadResult =
  | {
      readonly ok: true;
      readonly bootstrap: Bootstrap;
      readonly warnings: ConfigIssue[];
      /** The Istio resources read (empty for an Envoy bootstrap). */
      readonly istio: readonly SourcedResource[];
    }
  | {
      readonly ok: false;
      readonly issues: ConfigIssue[];
      /** The Istio resources that decoded cleanly (the analyzer still looks at them). */
      readonly istio: readonly SourcedResource[];
    };

/** What loading needs besides the files. */
export interface LoadOptions {
  /** The workload and listener layout Istio resources are translated for. */
  readonly sidecar?: SidecarOptions;
  /**
   * Read the certificate files TLS contexts name and refuse the config if one is unusable (set
   * when the config is to be served here; not when it is translated for elsewhere).
   */
  readonly checkFiles?: boolean;
}

interface FileText {
  readonly name: string;
  readonly text: string | null;
  readonly readError: string | null;
}

/** Loads and merges config files (YAML, multi-document allowed, or JSON). Never throws. */
export async function loadConfigFiles(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const files = await Promise.all(
    paths.map(async (name): Promise<FileText> => {
      try {
        return { name, text: await readFile(name, 'utf8'), readError: null };
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return {
          name,
          text: null,
          readError: `cannot read file: ${readFailure(err)}${e.code === undefined ? '' : ` (${e.code})`}`,
        };
      }
    }),
  );
  return loadTexts(files, options);
}

/** Loads one config text (tests, the demo, stdin). Synchronous. */
export function loadConfigText(text: string, fileName: string, options: LoadOptions = {}): LoadResult {
  return loadTexts([{ name: fileName, text, readError: null }], options);
}

function loadTexts(files: readonly FileText[], options: LoadOptions): LoadResult {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const parts: BootstrapPart[] = [];
  const istio: SourcedResource[] = [];
  const tlsFiles: TlsFileRef[] | undefined = options.checkFiles === true ? [] : undefined;
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
      const part = decodeDocument(
        doc,
        issues,
        warnings,
        istio,
        (options.sidecar ?? DEFAULT_SIDECAR_OPTIONS).workload.namespace,
        tlsFiles,
      );
      if (part !== undefined) parts.push(part);
    }
  }
  // Translate only a clean set: a half-decoded set would compile to a misleading config.
  if (istio.length > 0 && issues.length === 0) {
    parts.push(
      translateIstio(istio, options.sidecar ?? DEFAULT_SIDECAR_OPTIONS, {
        issues,
        warnings,
        ...(tlsFiles === undefined ? {} : { tlsFiles }),
      }),
    );
  }
  const dynamicSources = readDynamicFiles(parts, issues, warnings, tlsFiles);
  if (documents === 0 && issues.length === 0) {
    for (const f of files)
      warnings.push({ file: f.name, path: '', message: 'no configuration documents found' });
  }
  const merged = mergeParts(parts, [...files.map((f) => f.name), ...dynamicSources]);
  issues.push(...merged.issues);
  warnings.push(...merged.warnings);
  if (issues.length === 0 && tlsFiles !== undefined) issues.push(...checkTlsFiles(tlsFiles));
  if (issues.length > 0) return { ok: false, issues, istio };
  return { ok: true, bootstrap: deepFreeze(merged.bootstrap), warnings, istio };
}

/**
 * Reads the LDS/CDS files that `dynamic_resources` names (paths as written, relative to the
 * working directory as in Envoy) and adds their listeners and clusters. Returns their paths,
 * which the live reload watches too.
 */
function readDynamicFiles(
  parts: BootstrapPart[],
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
  tlsFiles: TlsFileRef[] | undefined,
): string[] {
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
      const sink: IssueSink = {
        file: doc.file,
        issues,
        warnings,
        ...(tlsFiles === undefined ? {} : { tlsFiles }),
      };
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
  istio: SourcedResource[],
  defaultNamespace: string,
  tlsFiles: TlsFileRef[] | undefined,
): BootstrapPart | undefined {
  const sink: IssueSink = {
    file: doc.file,
    issues,
    warnings,
    ...(tlsFiles === undefined ? {} : { tlsFiles }),
  };
  if (!isPlainObject(doc.value)) {
    issues.push({ file: doc.file, path: '', message: 'expected a mapping at the top of the document' });
    return undefined;
  }
  if (isKubernetesDocument(doc.value)) {
    const r = new FieldReader(sink, '', doc.value, false, 'camel');
    // Like `kubectl apply -n`: a resource without a namespace lands in the workload's.
    const resource = decodeIstioDocument(sink, r, defaultNamespace);
    if (resource !== undefined) istio.push({ resource, file: doc.file });
    return undefined;
  }
  const r = new FieldReader(sink, '', doc.value);
  return isLoadAssignment(doc.value) ? decodeLoadAssignment(sink, r) : decodeBootstrap(sink, r);
}
