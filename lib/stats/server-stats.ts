import type { Gauge } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';

/** What the Skiff instance reports about itself; read only when Prometheus scrapes. */
export interface ServerInfo {
  live: boolean;
  uptimeSeconds: number;
  /** Envoy's numbering: 0 LIVE, 1 DRAINING, 2 PRE_INITIALIZING, 3 INITIALIZING. */
  state: number;
  concurrency: number;
}

/** Envoy's `server.state` values by state name. */
export const SERVER_STATE_CODE = {
  LIVE: 0,
  DRAINING: 1,
  PRE_INITIALIZING: 2,
  INITIALIZING: 3,
} as const;

function g(name: string, help: string): StatDef {
  return { name: `envoy_server_${name}`, type: 'gauge', help, labels: [] };
}

export const SERVER = {
  live: g('live', '1 if the server is not draining, else 0'),
  uptime: g('uptime', 'Seconds since the server started serving'),
  memoryAllocated: g('memory_allocated', 'Bytes of JavaScript heap currently in use'),
  concurrency: g('concurrency', 'Number of worker threads'),
  state: g('state', 'Server state: 0 LIVE, 1 DRAINING, 2 PRE_INITIALIZING, 3 INITIALIZING'),
} as const satisfies Record<string, StatDef>;

export const SERVER_STATS: readonly StatDef[] = Object.values(SERVER);

const DEFAULT_INFO: ServerInfo = {
  live: false,
  uptimeSeconds: 0,
  state: SERVER_STATE_CODE.PRE_INITIALIZING,
  concurrency: 1,
};

/** Server gauges, refreshed from the info callback at scrape time (never on the data path). */
export class ServerStats {
  private info: () => ServerInfo = () => DEFAULT_INFO;
  private readonly live: Gauge;
  private readonly uptime: Gauge;
  private readonly memory: Gauge;
  private readonly concurrency: Gauge;
  private readonly state: Gauge;

  constructor(f: Families) {
    f.declare(SERVER_STATS, () => this.refresh());
    this.live = f.gauge(SERVER.live, []);
    this.uptime = f.gauge(SERVER.uptime, []);
    this.memory = f.gauge(SERVER.memoryAllocated, []);
    this.concurrency = f.gauge(SERVER.concurrency, []);
    this.state = f.gauge(SERVER.state, []);
  }

  setInfo(fn: () => ServerInfo): void {
    this.info = fn;
  }

  private refresh(): void {
    const i = this.info();
    this.live.set(i.live ? 1 : 0);
    this.uptime.set(Math.floor(i.uptimeSeconds));
    this.memory.set(process.memoryUsage().heapUsed);
    this.concurrency.set(i.concurrency);
    this.state.set(i.state);
  }
}
