import type { FaultAbortConfig, FaultDelayConfig, HttpFaultConfig } from '../../config/model.js';
import type { HeaderMap } from '../../http/header-map.js';
import { CompiledHeaderMatcher } from '../../router/header-matcher.js';
import type { Random } from '../../util/random.js';
import type { RouterStream } from '../filter.js';
import { FaultHeader, headerNumerator, headerUint, sampled, UINT32_MAX } from './fault-headers.js';

// Any delay header that parses is honoured; the scheduler clamps to what setTimeout can wait.
const MAX_DELAY_MS = Number.MAX_SAFE_INTEGER;

/**
 * One HTTPFault (listener-level or per-route), compiled once per config snapshot: header
 * matchers built, downstream nodes in a Set. Decisions follow Envoy's FaultFilter: the delay is
 * sampled first; the abort is sampled only when no delay was injected, or after the delay.
 */
export class CompiledFault {
  readonly delay: FaultDelayConfig | null;
  readonly abort: FaultAbortConfig | null;
  /** Infinity when `max_active_faults` is unset. */
  readonly maxActiveFaults: number;
  /** False without a delay or an abort: the filter is not even created. */
  readonly injects: boolean;
  private readonly upstreamCluster: string;
  private readonly headers: readonly CompiledHeaderMatcher[];
  private readonly nodes: ReadonlySet<string> | null;

  constructor(cfg: HttpFaultConfig, where: string) {
    this.delay = cfg.delay;
    this.abort = cfg.abort;
    this.maxActiveFaults = cfg.maxActiveFaults ?? Infinity;
    this.injects = cfg.delay !== null || cfg.abort !== null;
    this.upstreamCluster = cfg.upstreamCluster;
    this.headers = Object.freeze(
      cfg.headers.map((h, i) => new CompiledHeaderMatcher(h, `${where}.headers[${i}]`)),
    );
    this.nodes = cfg.downstreamNodes.length === 0 ? null : new Set(cfg.downstreamNodes);
    Object.freeze(this);
  }

  /** `upstream_cluster`, `downstream_nodes` and `headers`, all of which must hold. */
  appliesTo(stream: RouterStream): boolean {
    // Envoy compares with the route entry's cluster: no forward route, no match.
    if (this.upstreamCluster !== '' && stream.clusterPick()?.name !== this.upstreamCluster) return false;
    if (this.nodes !== null) {
      const node = stream.header(FaultHeader.downstreamNode);
      if (node === undefined || !this.nodes.has(node)) return false;
    }
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) {
      const m = headers[i]!;
      if (!m.matches(stream.header(m.name))) return false;
    }
    return true;
  }

  /** The delay to inject in ms, or 0 for none (not sampled, or no/invalid/zero delay header). */
  delayMs(h: HeaderMap, random: Random): number {
    const d = this.delay;
    if (d === null) return 0;
    if (d.kind === 'fixed') return sampled(d.percentage, d.percentage.numerator, random) ? d.fixedDelayMs : 0;
    if (!sampled(d.percentage, headerNumerator(d.percentage, h, FaultHeader.delayPercentage), random))
      return 0;
    return Math.max(headerUint(h, FaultHeader.delay, MAX_DELAY_MS), 0);
  }

  /**
   * The HTTP status to abort with, or 0 for no abort. A gRPC abort answers 200 and
   * `abortGrpcStatus` gives its code; an HTTP status (configured or from a valid
   * x-envoy-fault-abort-request in [200, 600)) wins over a gRPC one.
   */
  abortHttpStatus(h: HeaderMap, random: Random): number {
    const a = this.abort;
    if (a === null) return 0;
    if (a.kind !== 'header') {
      // A configured gRPC abort carries httpStatus 0 and is answered with 200.
      return sampled(a.percentage, a.percentage.numerator, random) ? a.httpStatus || 200 : 0;
    }
    if (!sampled(a.percentage, headerNumerator(a.percentage, h, FaultHeader.abortPercentage), random))
      return 0;
    const code = headerUint(h, FaultHeader.abort, UINT32_MAX);
    if (code >= 200 && code < 600) return code;
    return headerUint(h, FaultHeader.abortGrpc, UINT32_MAX) === -1 ? 0 : 200;
  }

  /** For an abort decided by abortHttpStatus: the gRPC status, or undefined for an HTTP abort. */
  abortGrpcStatus(h: HeaderMap): number | undefined {
    const a = this.abort;
    if (a === null || a.kind === 'http_status') return undefined;
    if (a.kind === 'grpc_status') return a.grpcStatus;
    const code = headerUint(h, FaultHeader.abort, UINT32_MAX);
    if (code >= 200 && code < 600) return undefined;
    const grpc = headerUint(h, FaultHeader.abortGrpc, UINT32_MAX);
    return grpc === -1 ? undefined : grpc;
  }
}
