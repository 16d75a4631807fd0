import { connect, type Socket } from 'node:net';
import type { TcpHealthCheckConfig } from '../config/model.js';
import { CheckResult, type HealthCheckProbe, type ProbeFactory } from './health-check-probe.js';
import type { Host } from './types.js';

// Bound on what a host may send before the expected chunks show up.
const MAX_BUFFERED = 64 * 1024;

/** What every TCP probe of one cluster shares. */
interface TcpCheckPlan {
  readonly send: Buffer | null;
  readonly receive: readonly Buffer[];
  readonly reuse: boolean;
}

/** TCP checks: connect, optionally write `send`, then wait for every `receive` chunk in order. */
export function tcpProbeFactory(cfg: TcpHealthCheckConfig, reuse: boolean): ProbeFactory {
  const plan: TcpCheckPlan = {
    send: cfg.send === null ? null : Buffer.from(cfg.send, 'hex'),
    receive: cfg.receive.map((hex) => Buffer.from(hex, 'hex')),
    reuse,
  };
  return (host) => new TcpProbe(host, plan);
}

/** Envoy's fuzzy match: each chunk must appear after the end of the previous one. */
export function payloadMatches(data: Buffer, chunks: readonly Buffer[]): boolean {
  let from = 0;
  for (const c of chunks) {
    const at = data.indexOf(c, from);
    if (at === -1) return false;
    from = at + c.length;
  }
  return true;
}

/**
 * One host's TCP probe. A connect-only check always closes its connection (as Envoy does); with
 * `receive` chunks and `reuse_connection` the connection stays open between checks.
 */
class TcpProbe implements HealthCheckProbe {
  private readonly host: Host;
  private readonly plan: TcpCheckPlan;
  private socket: Socket | null = null;
  private done: ((result: CheckResult) => void) | null = null;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(host: Host, plan: TcpCheckPlan) {
    this.host = host;
    this.plan = plan;
  }

  start(done: (result: CheckResult) => void): void {
    this.done = done;
    this.buffered = [];
    this.bufferedBytes = 0;
    const s = this.socket ?? this.open();
    if (this.plan.send !== null) s.write(this.plan.send);
  }

  abort(): void {
    this.done = null;
    this.drop();
  }

  close(): void {
    this.abort();
  }

  private open(): Socket {
    const s = connect({ host: this.host.address, port: this.host.port });
    this.socket = s;
    s.on('connect', () => {
      if (this.socket !== s) return;
      if (this.plan.receive.length === 0) this.finish(CheckResult.Success);
    });
    s.on('data', (chunk: Buffer) => {
      if (this.socket === s) this.onData(chunk);
    });
    s.on('error', () => {});
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.finish(CheckResult.NetworkFailure);
    });
    return s;
  }

  private onData(chunk: Buffer): void {
    // Bytes outside a check (after a match, between intervals) are dropped.
    if (this.done === null) return;
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    const data = this.buffered.length === 1 ? chunk : Buffer.concat(this.buffered);
    if (this.buffered.length > 1) this.buffered = [data];
    if (payloadMatches(data, this.plan.receive)) this.finish(CheckResult.Success);
    else if (this.bufferedBytes > MAX_BUFFERED) this.finish(CheckResult.Failed);
  }

  private finish(result: CheckResult): void {
    const done = this.done;
    if (done === null) return;
    this.done = null;
    this.buffered = [];
    this.bufferedBytes = 0;
    if (result !== CheckResult.Success || !this.plan.reuse || this.plan.receive.length === 0) this.drop();
    done(result);
  }

  private drop(): void {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
  }
}
