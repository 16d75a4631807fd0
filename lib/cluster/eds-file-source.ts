import { readFile } from 'node:fs/promises';
import { readClusterLoadAssignment } from '../config/envoy/cluster-endpoints.js';
import { readDiscoveryResources, TYPE_URL } from '../config/envoy/discovery-response.js';
import { formatIssue } from '../config/errors.js';
import type { EdsFileConfig, EndpointConfig } from '../config/model.js';
import { parseDocuments } from '../config/parse.js';
import { FieldReader, type IssueSink } from '../config/reader.js';
import { FileWatcher } from '../util/file-watcher.js';

/** Editors and `mv` produce bursts of events; one re-read per burst. */
const DEBOUNCE_MS = 50;

export interface EdsFileSourceOptions {
  readonly config: EdsFileConfig;
  readonly clusterName: string;
  readonly onEndpoints: (endpoints: readonly EndpointConfig[]) => void;
  readonly log: (message: string) => void;
}

/**
 * Envoy's filesystem EDS subscription: the file holds a DiscoveryResponse whose resources are
 * ClusterLoadAssignments (JSON or YAML); the one named `service_name` (else the cluster's name)
 * gives the cluster's endpoints. The file's directory is watched so an atomic replace (write a
 * temp file, rename it over) is picked up; a file that fails to parse or decode is reported
 * with its path and reason, and the last good endpoints stay in use.
 */
export class EdsFileSource {
  private readonly watcher: FileWatcher;
  private lastText: string | null = null;
  private stopped = false;

  constructor(private readonly opts: EdsFileSourceOptions) {
    this.watcher = new FileWatcher(() => void this.reload(), opts.log, DEBOUNCE_MS);
  }

  /** Reads the file once and starts watching it; resolves after the first read (good or bad). */
  async start(): Promise<void> {
    this.watcher.watch([this.opts.config.path]);
    await this.reload();
  }

  stop(): void {
    this.stopped = true;
    this.watcher.close();
  }

  /** Re-reads now (also what the watcher triggers). */
  async reload(): Promise<void> {
    const path = this.opts.config.path;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      this.opts.log(`${path}: cannot read EDS file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return;
    }
    if (this.stopped || text === this.lastText) return;
    const result = decodeEdsFile(text, path, this.opts.config.serviceName);
    if (typeof result === 'string') {
      this.opts.log(`cluster ${this.opts.clusterName}: ${result}; keeping the last good endpoints`);
      return;
    }
    this.lastText = text;
    this.opts.onEndpoints(result);
  }
}

/** The endpoints for `serviceName` in a DiscoveryResponse file, or every problem as one message. */
export function decodeEdsFile(text: string, file: string, serviceName: string): EndpointConfig[] | string {
  const parsed = parseDocuments(text, file);
  if (parsed.issues.length > 0) return parsed.issues.map(formatIssue).join('; ');
  const doc = parsed.docs[0];
  if (doc === undefined) return `${file}: the file is empty`;
  const sink: IssueSink = { file, issues: [], warnings: [] };
  const r = FieldReader.of(sink, '', doc.value);
  let endpoints: EndpointConfig[] | null = null;
  if (r !== null) {
    readDiscoveryResources(r, TYPE_URL.loadAssignment, '', (res) => {
      if (res.string('cluster_name') !== serviceName) {
        res.skip(...res.names());
        return;
      }
      // Endpoints must be IP addresses, as for STATIC clusters.
      endpoints = readClusterLoadAssignment(res, 'STATIC');
    });
  }
  if (sink.issues.length > 0) return sink.issues.map(formatIssue).join('; ');
  if (endpoints === null) return `${file}: no ClusterLoadAssignment with cluster_name "${serviceName}"`;
  return endpoints;
}
