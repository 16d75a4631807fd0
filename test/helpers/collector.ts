import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One decoded export request. */
export interface CollectedExport {
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

/** A span flattened from an OTLP/JSON export, attributes as a record. */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly status: { code?: number };
  readonly attrs: Record<string, string>;
  readonly service: string;
}

export interface TestCollector {
  readonly port: number;
  readonly exports: CollectedExport[];
  /** Every OTLP span received so far. */
  otlpSpans(): OtlpSpan[];
  close(): Promise<void>;
}

interface KeyValue {
  key: string;
  value: { stringValue?: string };
}

/** A real HTTP receiver on 127.0.0.1:0 that parses each JSON body it is sent and answers `status`. */
export async function startCollector(status = 200): Promise<TestCollector> {
  const exports: CollectedExport[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exports.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    exports,
    otlpSpans: () => exports.flatMap((e) => otlpSpansOf(e.body)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function record(kvs: readonly KeyValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs) out[kv.key] = kv.value.stringValue ?? '';
  return out;
}

/** Flattens `resourceSpans[].scopeSpans[].spans[]`. */
export function otlpSpansOf(body: unknown): OtlpSpan[] {
  const b = body as {
    resourceSpans: {
      resource: { attributes: KeyValue[] };
      scopeSpans: { spans: (Omit<OtlpSpan, 'attrs' | 'service'> & { attributes: KeyValue[] })[] }[];
    }[];
  };
  const out: OtlpSpan[] = [];
  for (const rs of b.resourceSpans) {
    const service = record(rs.resource.attributes)['service.name'] ?? '';
    for (const ss of rs.scopeSpans)
      for (const s of ss.spans) out.push({ ...s, attrs: record(s.attributes), service });
  }
  return out;
}
