import type { AccessLogRecord } from '../../../lib/accesslog/record.js';

type Fields = Omit<AccessLogRecord, 'requestHeader' | 'responseHeader' | 'responseTrailer'>;

/** A record built from plain fields and header maps (keys lower-case). */
export function fakeRecord(
  fields: Partial<Fields> = {},
  req: Record<string, string> = {},
  resp: Record<string, string> = {},
  trailers: Record<string, string> = {},
): AccessLogRecord {
  const base: Fields = {
    startTimeMs: Date.UTC(2016, 3, 15, 20, 17, 0, 310),
    durationMs: 226,
    responseDurationMs: 100,
    protocol: 'HTTP/2',
    responseCode: 204,
    responseFlags: 0,
    responseCodeDetails: null,
    connectionTerminationDetails: null,
    upstreamTransportFailureReason: null,
    bytesReceived: 154,
    bytesSent: 0,
    upstreamHost: null,
    upstreamCluster: null,
    upstreamLocalAddress: null,
    downstreamRemoteAddress: null,
    downstreamLocalAddress: null,
    requestedServerName: null,
    routeName: null,
    downstreamTls: null,
    upstreamPeerUriSan: '',
    upstreamLocalUriSan: '',
  };
  return {
    ...base,
    ...fields,
    requestHeader: (n) => req[n] ?? null,
    responseHeader: (n) => resp[n] ?? null,
    responseTrailer: (n) => trailers[n] ?? null,
  };
}
