import type { Cluster } from '../cluster/types.js';
import type { Bootstrap } from '../config/model.js';
import type { LocalReplyEntry } from '../http/local-reply-ring.js';
import type { StatEntry } from '../stats/stat-list.js';
import type { CertificateSnapshot } from '../tls/certificate-source.js';

export type ServerState = 'PRE_INITIALIZING' | 'INITIALIZING' | 'LIVE' | 'DRAINING';

export interface ListenerInfo {
  readonly name: string;
  /** Bound address (after an ephemeral port 0 was resolved). */
  readonly address: string;
  readonly port: number;
}

/**
 * What the admin server may read and do on the Skiff instance. The server implements it; the
 * admin module never reaches into runtime objects beyond this surface.
 */
export interface AdminContext {
  state(): ServerState;
  /** Seconds since the process started serving. */
  uptimeSeconds(): number;
  version(): string;
  commandLine(): readonly string[];
  config(): Bootstrap;
  /** The last rejected live reload (shown by /config_dump), or null; absent without reloads. */
  lastReloadError?(): { readonly at: string; readonly errors: readonly string[] } | null;
  listeners(): readonly ListenerInfo[];
  clusters(): readonly Cluster[];
  /** Prometheus text exposition of all stats (or those `q` selects, as Envoy's `?filter=`/`?usedonly`). */
  prometheus(q?: { readonly filter?: RegExp | null; readonly usedOnly?: boolean }): Promise<string>;
  /** Every stat under its Envoy name for `/stats`; absent = `/stats` answers from nothing. */
  stats?(): readonly StatEntry[];
  /** The workload certificate for `/certs`, or null; absent when Skiff has no certificate provider. */
  certificates?(): CertificateSnapshot | null;
  /** The most recent local replies, newest first (admin dashboard); absent = not recorded. */
  recentLocalReplies?(): readonly LocalReplyEntry[];
  /** Begin a clean shutdown (POST /quitquitquit). */
  quit(): void;
}
