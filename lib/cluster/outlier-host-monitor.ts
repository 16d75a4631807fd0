import type { OutlierDetectionConfig } from '../config/model.js';
import { EjectionType } from './outlier-ejection.js';
import { OutlierResult, type PassiveHealthMonitor } from './types.js';

/** The part of a host outlier detection touches: its health flags and its monitor slot. */
export interface EjectableHost {
  healthFlags: number;
  outlier: PassiveHealthMonitor;
}

/** What a host monitor reports to its cluster's detector. */
export interface MonitorOwner {
  readonly config: OutlierDetectionConfig;
  onConsecutiveError(monitor: OutlierHostMonitor, type: EjectionType): void;
  onActiveHealthCheckPassed(monitor: OutlierHostMonitor): void;
}

/**
 * Non-split mode maps results to the HTTP status Envoy charges for them (resultToHttpCode);
 * 0 = not counted (a bare connect success says nothing about the response). Indexed by
 * OutlierResult.
 */
const RESULT_STATUS: readonly number[] = [503, 0, 504, 200, 500, 200];

function isGatewayError(code: number): boolean {
  return code === 502 || code === 503 || code === 504;
}

/**
 * The outlier state of one host (Envoy's DetectorHostMonitorImpl): consecutive-error counters
 * checked inline on every report, request/success counts per interval for the success-rate and
 * failure-percentage sweeps, and the ejection history that sets the next ejection's length.
 * Plain number fields only: a report is a few increments and compares.
 */
export class OutlierHostMonitor implements PassiveHealthMonitor {
  readonly host: EjectableHost;
  private owner: MonitorOwner | null;
  private readonly split: boolean;
  consecutive5xx = 0;
  consecutiveGatewayFailure = 0;
  consecutiveLocalOriginFailure = 0;
  /** Counts of the interval in progress. */
  externalTotal = 0;
  externalSuccess = 0;
  localTotal = 0;
  localSuccess = 0;
  /** Counts of the last complete interval, which the sweep judges. */
  lastExternalTotal = 0;
  lastExternalSuccess = 0;
  lastLocalTotal = 0;
  lastLocalSuccess = 0;
  /** Ejection-time multiplier: +1 per ejection (capped), −1 per sweep spent not ejected. */
  backoff = 0;
  numEjections = 0;
  lastEjectionMs = 0;
  /** Extra ejection time drawn at ejection from `max_ejection_time_jitter`. */
  jitterMs = 0;

  constructor(host: EjectableHost, owner: MonitorOwner) {
    this.host = host;
    this.owner = owner;
    this.split = owner.config.splitExternalLocalOriginErrors;
  }

  putHttpResponseCode(code: number): void {
    const owner = this.owner;
    if (owner === null) return;
    this.externalTotal++;
    if (code < 500 || code >= 600) {
      this.externalSuccess++;
      this.consecutive5xx = 0;
      this.consecutiveGatewayFailure = 0;
      return;
    }
    const cfg = owner.config;
    if (!isGatewayError(code)) this.consecutiveGatewayFailure = 0;
    else if (++this.consecutiveGatewayFailure === cfg.consecutiveGatewayFailure) {
      owner.onConsecutiveError(this, EjectionType.ConsecutiveGatewayFailure);
    }
    if (++this.consecutive5xx === cfg.consecutive5xx) {
      owner.onConsecutiveError(this, EjectionType.Consecutive5xx);
    }
  }

  putResult(result: OutlierResult): void {
    if (!this.split) {
      const status = RESULT_STATUS[result]!;
      if (status !== 0) this.putHttpResponseCode(status);
      return;
    }
    switch (result) {
      case OutlierResult.LocalOriginConnectSuccess:
      case OutlierResult.LocalOriginConnectSuccessFinal:
        this.localSuccessResult();
        return;
      case OutlierResult.LocalOriginConnectFailed:
      case OutlierResult.LocalOriginTimeout:
        this.localFailureResult();
        return;
      case OutlierResult.ExtOriginRequestFailed:
        this.putHttpResponseCode(503);
        return;
      case OutlierResult.ExtOriginRequestSuccess:
        this.putHttpResponseCode(200);
        this.localSuccessResult();
        return;
    }
  }

  uneject(): void {
    this.owner?.onActiveHealthCheckPassed(this);
  }

  /** Starts a new interval; the one just finished becomes the one the sweep judges. */
  rotate(): void {
    this.lastExternalTotal = this.externalTotal;
    this.lastExternalSuccess = this.externalSuccess;
    this.lastLocalTotal = this.localTotal;
    this.lastLocalSuccess = this.localSuccess;
    this.externalTotal = 0;
    this.externalSuccess = 0;
    this.localTotal = 0;
    this.localSuccess = 0;
  }

  resetConsecutive(): void {
    this.consecutive5xx = 0;
    this.consecutiveGatewayFailure = 0;
    this.consecutiveLocalOriginFailure = 0;
  }

  /** The host left the cluster (or the cluster closed): later reports are ignored. */
  detach(): void {
    this.owner = null;
  }

  private localFailureResult(): void {
    const owner = this.owner;
    if (owner === null) return;
    this.localTotal++;
    if (++this.consecutiveLocalOriginFailure === owner.config.consecutiveLocalOriginFailure) {
      owner.onConsecutiveError(this, EjectionType.ConsecutiveLocalOriginFailure);
    }
  }

  private localSuccessResult(): void {
    if (this.owner === null) return;
    this.localTotal++;
    this.localSuccess++;
    this.consecutiveLocalOriginFailure = 0;
  }
}
