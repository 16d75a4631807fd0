/**
 * Circuit-breaker resources of one cluster at one routing priority (Envoy's ResourceManager).
 * A resource is a counter with a limit; callers ask `canCreate()` before taking one and always
 * give it back. Defaults match Envoy: 1024 connections, pending requests and requests, 3 retries.
 */
export class Resource {
  count = 0;
  constructor(public max: number) {}

  canCreate(): boolean {
    return this.count < this.max;
  }

  inc(): void {
    this.count++;
  }

  dec(): void {
    this.count--;
  }

  /** Envoy's `remaining_*` gauge. */
  remaining(): number {
    return Math.max(0, this.max - this.count);
  }
}

export interface ResourceLimits {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
}

export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
};

export class ResourceManager {
  readonly connections: Resource;
  readonly pendingRequests: Resource;
  readonly requests: Resource;
  readonly retries: Resource;

  constructor(limits: ResourceLimits = DEFAULT_RESOURCE_LIMITS) {
    this.connections = new Resource(limits.maxConnections);
    this.pendingRequests = new Resource(limits.maxPendingRequests);
    this.requests = new Resource(limits.maxRequests);
    this.retries = new Resource(limits.maxRetries);
  }
}
