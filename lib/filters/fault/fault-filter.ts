import { ResponseFlag } from '../../accesslog/response-flags.js';
import type { FaultFilterConfig, HttpFilterPerRouteConfig } from '../../config/model.js';
import type { RouteTable } from '../../router/route-table.js';
import type { FaultStats } from '../../stats/fault-stats.js';
import type { Random } from '../../util/random.js';
import type { Scheduler, TimerHandle, TimerTarget } from '../../util/scheduler.js';
import { FilterStatus, type HttpFilter, type HttpFilterFactory, type RouterStream } from '../filter.js';
import { CompiledFault } from './compiled-fault.js';

/** What every fault filter of one factory shares. */
export interface FaultDeps {
  readonly stats: FaultStats;
  readonly random: Random;
  readonly scheduler: Scheduler;
}

const ABORT_BODY = 'fault filter abort';
const ABORT_DETAILS = 'fault_filter_abort';

/**
 * Envoy's fault injection filter (`envoy.filters.http.fault`). The factory resolves the effective
 * HTTPFault for the stream's route (a per-route entry replaces the filter-level one) and returns
 * null when there is nothing to inject or the fault's cluster/node/header conditions do not
 * hold, so unfaulted routes allocate nothing.
 */
export class FaultFilterFactory implements HttpFilterFactory {
  readonly name: string;
  private readonly base: CompiledFault | null;
  /** Per-route entries for this filter name → compiled fault (null: disabled or injects nothing). */
  private readonly perRoute: ReadonlyMap<HttpFilterPerRouteConfig, CompiledFault | null> | null;

  constructor(
    cfg: FaultFilterConfig,
    table: RouteTable,
    private readonly deps: FaultDeps,
  ) {
    this.name = cfg.name;
    const base = new CompiledFault(cfg.fault, `http_filters[${cfg.name}]`);
    this.base = base.injects ? base : null;
    const entries = table.perFilterConfigs(cfg.name);
    const perRoute = new Map<HttpFilterPerRouteConfig, CompiledFault | null>();
    for (const e of entries) {
      if (e.kind === 'disabled') perRoute.set(e, null);
      else if (e.kind === 'fault') {
        const c = new CompiledFault(e.fault, `typed_per_filter_config[${cfg.name}]`);
        perRoute.set(e, c.injects ? c : null);
      }
    }
    this.perRoute = perRoute.size === 0 ? null : perRoute;
  }

  create(stream: RouterStream): HttpFilter | null {
    let fault = this.base;
    if (this.perRoute !== null) {
      const entry = stream.perFilterConfig(this.name);
      // An entry of another filter's type under this name is ignored, as Envoy's typed lookup does.
      const compiled = entry === undefined ? undefined : this.perRoute.get(entry);
      if (compiled !== undefined) fault = compiled;
    }
    if (fault === null || !fault.appliesTo(stream)) return null;
    return new FaultFilter(this.deps, fault, stream);
  }
}

/** One stream's fault: at most one delay timer, and at most one active-fault count. */
class FaultFilter implements HttpFilter, TimerTarget {
  private timer: TimerHandle | null = null;
  private active = false;

  constructor(
    private readonly deps: FaultDeps,
    private readonly fault: CompiledFault,
    private readonly stream: RouterStream,
  ) {}

  decodeHeaders(): FilterStatus {
    const { deps, fault, stream } = this;
    const h = stream.requestHeaders;
    const delay = fault.delayMs(h, deps.random);
    if (delay > 0 && this.tryActivate()) {
      this.timer = deps.scheduler.schedule(delay, this);
      deps.stats.delaysInjected.inc();
      stream.setResponseFlag(ResponseFlag.DelayInjected);
      return FilterStatus.Stop;
    }
    const status = fault.abortHttpStatus(h, deps.random);
    if (status !== 0 && this.tryActivate()) {
      this.abort(status);
      return FilterStatus.Stop;
    }
    return FilterStatus.Continue;
  }

  /** The delay elapsed: maybe abort now, else the request goes on (and is no longer a fault). */
  onTimer(): void {
    this.timer = null;
    const status = this.fault.abortHttpStatus(this.stream.requestHeaders, this.deps.random);
    if (status !== 0) {
      this.abort(status);
      return;
    }
    this.deactivate();
    this.stream.continueDecoding();
  }

  onDestroy(): void {
    if (this.timer !== null) {
      this.deps.scheduler.cancel(this.timer);
      this.timer = null;
    }
    this.deactivate();
  }

  private abort(status: number): void {
    const { deps, stream } = this;
    deps.stats.abortsInjected.inc();
    const grpc = this.fault.abortGrpcStatus(stream.requestHeaders);
    stream.sendLocalReply(status, ABORT_BODY, ResponseFlag.FaultInjected, ABORT_DETAILS, undefined, grpc);
  }

  /**
   * Envoy's tryIncActiveFaults: a stream counts once however many faults it gets, and only a
   * new fault is checked against max_active_faults (a fuzzy limit, like circuit breakers).
   */
  private tryActivate(): boolean {
    if (this.active) return true;
    const stats = this.deps.stats;
    if (stats.activeFaults.value >= this.fault.maxActiveFaults) {
      stats.faultsOverflow.inc();
      return false;
    }
    stats.activeFaults.inc();
    this.active = true;
    return true;
  }

  private deactivate(): void {
    if (!this.active) return;
    this.active = false;
    this.deps.stats.activeFaults.dec();
  }
}
