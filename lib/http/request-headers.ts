import { randomUUID } from 'node:crypto';
import type { HttpConnectionManagerConfig } from '../config/model.js';
import type { ActiveStream } from './active-stream.js';
import { stripRequestHopByHop } from './hop-by-hop.js';
import { dropUnderscoreHeaders } from './request-checks.js';

/**
 * The connection manager's request header edits, in Envoy's order: hop-by-hop removal,
 * x-forwarded-for / -proto, via, x-request-id.
 */
export function prepareRequestHeaders(stream: ActiveStream, cfg: HttpConnectionManagerConfig): void {
  const h = stream.requestHeaders;
  stripRequestHopByHop(h);
  if (cfg.headersWithUnderscoresAction === 'DROP_HEADER') dropUnderscoreHeaders(h);
  if (cfg.useRemoteAddress) {
    // Edge mode: the proxy is the trust boundary, so it states the scheme and appends the peer.
    h.set('x-forwarded-proto', stream.scheme);
    if (!cfg.skipXffAppend) {
      const peer = stream.req.socket.remoteAddress ?? '';
      const xff = h.get('x-forwarded-for');
      h.set('x-forwarded-for', xff === undefined ? peer : `${xff}, ${peer}`);
    }
  } else if (!h.has('x-forwarded-proto')) {
    h.add('x-forwarded-proto', stream.scheme);
  }
  if (cfg.via !== '') {
    const via = h.get('via');
    h.set('via', via === undefined ? cfg.via : `${via}, ${cfg.via}`);
  }
  const rid = h.get('x-request-id');
  if (rid !== undefined && rid !== '') {
    stream.requestId = rid;
  } else if (cfg.generateRequestId) {
    const id = randomUUID();
    if (rid === undefined) h.add('x-request-id', id);
    else h.set('x-request-id', id);
    stream.requestId = id;
  }
}
