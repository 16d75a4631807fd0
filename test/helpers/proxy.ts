import { errors, request } from 'undici';
import { formatIssue } from '../../lib/config/errors.js';
import { loadConfigText } from '../../lib/config/load.js';
import { Skiff, type SkiffOptions } from '../../lib/server/skiff.js';
import { createLogger } from '../../lib/util/logger.js';
import { type FakeUpstream, startUpstream, type UpstreamHandler } from './upstream.js';

export interface TestProxy {
  readonly skiff: Skiff;
  /** Port of the first listener. */
  readonly port: number;
  readonly base: string;
  readonly adminBase: string | null;
  stop(): Promise<void>;
}

/** Replaces `${NAME}` placeholders, so YAML in tests can name ephemeral ports. */
export function fill(yaml: string, vars: Record<string, string | number>): string {
  return yaml.replace(/\$\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** Starts Skiff from a YAML string (listeners on port 0 are fine); fails loudly on config errors. */
export async function startProxy(
  yaml: string,
  vars: Record<string, string | number> = {},
  opts: SkiffOptions = {},
): Promise<TestProxy> {
  const loaded = loadConfigText(fill(yaml, vars), 'test.yaml');
  if (!loaded.ok) throw new Error(`test config rejected:\n${loaded.issues.map(formatIssue).join('\n')}`);
  const skiff = await Skiff.start(loaded.bootstrap, { logger: createLogger('off'), adminPort: 0, ...opts });
  const port = skiff.listenerInfo()[0]!.port;
  const admin = skiff.adminAddress();
  return {
    skiff,
    port,
    base: `http://127.0.0.1:${port}`,
    adminBase: admin === null ? null : `http://127.0.0.1:${admin.port}`,
    stop: () => skiff.stop(),
  };
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request with undici, body read fully; a fresh connection each time unless `keepAlive`. */
export async function get(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SimpleResponse> {
  const res = await request(url, {
    method: (opts.method ?? 'GET') as 'GET',
    headers: opts.headers ?? {},
    body: opts.body ?? null,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

export { errors as undiciErrors };

/** Minimal Envoy bootstrap: one listener on port 0 routing everything to cluster `backend`. */
export function simpleBootstrap(
  opts: { routes?: string; clusters?: string; hcmExtra?: string } = {},
): string {
  return `
static_resources:
  listeners:
  - name: test
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: test
${opts.hcmExtra ?? ''}
          route_config:
            name: local
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
${opts.routes ?? '              - { match: { prefix: "/" }, route: { cluster: backend } }'}
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
  clusters:
${opts.clusters ?? staticCluster('backend', UPSTREAM_PLACEHOLDER)}
`;
}

/** Filled by fill() with the `UPSTREAM` variable. */
const UPSTREAM_PLACEHOLDER = '$' + '{UPSTREAM}';

/** A STATIC cluster YAML block with one endpoint per port. */
export function staticCluster(name: string, ...ports: Array<string | number>): string {
  const eps = ports
    .map(
      (p) => `        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${p} } } }`,
    )
    .join('\n');
  return `  - name: ${name}
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: ${name}
      endpoints:
      - lb_endpoints:
${eps}
`;
}

/** The part of a tap test the helpers need: somewhere to register cleanup. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * The common integration setup: one fake upstream (cluster `backend`) behind a proxy built from
 * `simpleBootstrap(layout)`, both stopped when the test ends.
 */
export async function proxyToUpstream(
  t: Teardown,
  layout: { routes?: string; hcmExtra?: string } = {},
  upstream: { name?: string; handler?: UpstreamHandler } = {},
): Promise<{ proxy: TestProxy; up: FakeUpstream }> {
  const up = await startUpstream(upstream.name ?? 'up', upstream.handler);
  const proxy = await startProxy(simpleBootstrap(layout), { UPSTREAM: up.port });
  t.teardown(async () => {
    await proxy.stop();
    await up.close();
  });
  return { proxy, up };
}
