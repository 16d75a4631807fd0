import { randomUUID } from 'node:crypto';
import type { HttpConnectionManagerConfig } from '../config/model.js';
import type { ActiveStream } from './active-stream.js';
import { sanitizeEdgeRequest } from './edge-sanitize.js';
import { stripRequestHopByHop } from './hop-by-hop.js';
import { dropUnderscoreHeaders } from './request-checks.js';
import { mutateXfcc } from './xfcc.js';

/**
 * The connection manager's request header edits, in Envoy's order: hop-by-hop removal,
 * edge sanitising, x-forwarded-for / -proto, via, x-forwarded-client-cert, x-request-id.
 */
export function prepareRequestHeaders(stream: ActiveStream, cfg: HttpConnectionManagerConfig): void {
  const h = stream.requestHeaders;
  stripRequestHopByHop(h);
  if (cfg.headersWithUnderscoresAction === 'DROP_HEADER') dropUnderscoreHeaders(h);
  let external = false;
  if (cfg.useRemoteAddress) {
    // Edge mode: the proxy is the trust boundary, so it states the scheme and appends the peer.
    const peer = stream.req.socket.remoteAddress ?? '';
    external = sanitizeEdgeRequest(h, peer);
    h.set('x-forwarded-proto', stream.connectionScheme);
    if (!cfg.skipXffAppend) {
      const xff = h.get('x-forwarded-for');
      h.set('x-forwarded-for', xff === undefined ? peer : `${xff}, ${peer}`);
    }
  } else if (!h.has('x-forwarded-proto')) {
    h.add('x-forwarded-proto', stream.connectionScheme);
  }
  if (cfg.via !== '') {
    const via = h.get('via');
    h.set('via', via === undefined ? cfg.via : `${via}, ${cfg.via}`);
  }
  mutateXfcc(h, cfg, stream.conn.tls);
  const rid = h.get('x-request-id');
  // An external client's id is not trusted unless preserve_external_request_id says so.
  const keep = !external || cfg.preserveExternalRequestId;
  if (rid !== undefined && rid !== '' && keep) {
    stream.requestId = rid;
  } else if (cfg.generateRequestId) {
    const id = randomUUID();
    if (rid === undefined) h.add('x-request-id', id);
    else h.set('x-request-id', id);
    stream.requestId = id;
  }
}
