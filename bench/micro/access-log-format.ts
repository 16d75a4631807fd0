// Micro-bench: cost of formatting one access-log line with Envoy's default format.
// Usage: node dist/bench/micro/access-log-format.js [--lines 2000000] [--format default|istio]
// Records mimic the proxy's ActiveStream: pseudo-headers from fields, the rest a linear scan of
// a small HeaderMap whose names are runtime strings (as from the HTTP parser), and ~25 requests
// per wall-clock millisecond so the START_TIME cache hits as it does under load.
import { parseArgs } from 'node:util';
import { compileTextFormat, DEFAULT_FORMAT } from '../../lib/accesslog/formatter.js';
import type { AccessLogRecord } from '../../lib/accesslog/record.js';
import { HeaderMap } from '../../lib/http/header-map.js';

/** Istio's default proxy access-log format, a longer real-world format. */
const ISTIO_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" ' +
  '%RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% ' +
  '"%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% ' +
  '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% ' +
  '%UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% ' +
  '%REQUESTED_SERVER_NAME% %ROUTE_NAME%\n';

/** A runtime (non-internalized) copy, like strings the HTTP parser hands over. */
const fresh = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

function headerMap(pairs: readonly (readonly [string, string])[]): HeaderMap {
  const raw: string[] = [];
  for (const [n, v] of pairs) raw.push(fresh(n), fresh(v));
  return new HeaderMap(raw);
}

/** Same shape and lookup strategy as lib/http/active-stream.ts, without sockets. */
class BenchStream implements AccessLogRecord {
  startTimeMs = 0;
  durationMs: number | null;
  responseDurationMs: number | null;
  readonly protocol = 'HTTP/1.1';
  responseCode = 200;
  responseFlags = 0;
  responseCodeDetails: string | null = 'via_upstream';
  connectionTerminationDetails: string | null = null;
  upstreamTransportFailureReason: string | null = null;
  bytesReceived = 0;
  bytesSent: number;
  upstreamHost: string | null = '127.0.0.1:8081';
  upstreamCluster: string | null = 'outbound|8081||backend.default.svc.cluster.local';
  upstreamLocalAddress: string | null = '127.0.0.1:41234';
  downstreamRemoteAddress: string | null = '127.0.0.1:52000';
  downstreamLocalAddress: string | null = '127.0.0.1:15001';
  requestedServerName: string | null = null;
  routeName: string | null = 'default';
  downstreamTls = null;
  upstreamPeerUriSan = '';
  upstreamLocalUriSan = '';
  readonly method = fresh('GET');
  readonly path: string;
  readonly authority = fresh('backend.default.svc.cluster.local:8081');
  readonly scheme = 'http';
  readonly requestHeaders: HeaderMap;
  readonly responseHeaders: HeaderMap;

  constructor(i: number) {
    this.path = fresh(`/api/v1/items/${i}?page=2`);
    this.durationMs = 0.8 + (i % 7) * 0.37;
    this.responseDurationMs = 0.6 + (i % 5) * 0.21;
    this.bytesSent = 13 + (i % 3);
    this.requestHeaders = headerMap([
      ['Host', 'backend.default.svc.cluster.local:8081'],
      ['User-Agent', 'curl/8.4.0'],
      ['Accept', '*/*'],
      ['Connection', 'keep-alive'],
      ['X-Forwarded-Proto', 'http'],
      ['X-Request-Id', `0b6f8a4e-3c1d-4f5a-9e2b-${String(100000000000 + i)}`],
      ['X-Forwarded-For', '10.1.2.3'],
      ['X-Envoy-Expected-Rq-Timeout-Ms', '15000'],
    ]);
    this.responseHeaders = headerMap([
      ['content-type', 'text/plain'],
      ['content-length', '13'],
      ['date', 'Wed, 25 Nov 2026 16:06:40 GMT'],
      ['x-envoy-upstream-service-time', String(i % 4)],
      ['server', 'envoy'],
    ]);
  }

  private header(name: string): string | undefined {
    if (name.charCodeAt(0) === 58 /* ':' */) {
      switch (name) {
        case ':method':
          return this.method;
        case ':path':
          return this.path;
        case ':authority':
          return this.authority;
        case ':scheme':
          return this.scheme;
        default:
          return undefined;
      }
    }
    return this.requestHeaders.get(name);
  }

  requestHeader(name: string): string | null {
    return this.header(name) ?? null;
  }

  responseHeader(name: string): string | null {
    return this.responseHeaders.get(name) ?? null;
  }

  responseTrailer(_name: string): string | null {
    return null;
  }
}

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '2000000' },
    format: { type: 'string', default: 'default' },
    rounds: { type: 'string', default: '5' },
  },
});
const lines = Number(values.lines);
const rounds = Number(values.rounds);
const format = values.format === 'istio' ? ISTIO_FORMAT : DEFAULT_FORMAT;
const PER_MS = 25;
const POOL = 1024;

const pool: BenchStream[] = [];
for (let i = 0; i < POOL; i++) pool.push(new BenchStream(i));
const fmt = compileTextFormat(format);

let clockMs = Date.UTC(2026, 10, 25, 16, 6, 40, 0);
let sink = 0;
const chunk = Buffer.allocUnsafeSlow(64 * 1024);
let used = 0;

/** ns per line; with `write`, each line is also UTF-8 encoded into a 64 KiB chunk as the file sink does. */
function run(n: number, write: boolean): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = pool[i & (POOL - 1)]!;
    if (i % PER_MS === 0) clockMs++;
    r.startTimeMs = clockMs;
    const line = fmt(r);
    if (!write) {
      sink += line.length;
      continue;
    }
    if (used + line.length * 3 > chunk.length) used = 0;
    used += chunk.write(line, used, 'utf8');
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

function measure(write: boolean): string {
  run(Math.min(lines, 200000), write); // warm-up: let the formatter reach optimized code
  const results: number[] = [];
  for (let k = 0; k < rounds; k++) results.push(run(lines, write));
  results.sort((a, b) => a - b);
  const median = results[results.length >> 1]!;
  return `${median.toFixed(0)} ns/line (min ${results[0]!.toFixed(0)}, max ${results[results.length - 1]!.toFixed(0)})`;
}

console.log(`access-log format=${values.format} lines=${lines}×${rounds} rounds, median:`);
console.log(`  format only:          ${measure(false)}`);
console.log(`  format + sink encode: ${measure(true)}`);
if (sink === 0) console.log('unreachable');
console.log(fmt(pool[1]!).trimEnd());
