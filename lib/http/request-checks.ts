import type { IncomingMessage } from 'node:http';
import type { HttpConnectionManagerConfig } from '../config/model.js';
import type { HeaderMap } from './header-map.js';

/** Why a request is refused before it reaches the filters. */
export interface RequestRejection {
  readonly status: 400 | 431 | 505;
  readonly details: string;
}

/**
 * Checks Node's HTTP/1 parser lets through but RFC 9112 and Envoy refuse
 * (/work/shared/reference/hardening.md §2.2): duplicate Host, Transfer-Encoding on HTTP/1.0,
 * a non-1.x version, absolute-form targets, too many headers, underscores by policy.
 * Returns null when the request may proceed.
 */
export function checkRequest(
  req: IncomingMessage,
  headers: HeaderMap,
  cfg: HttpConnectionManagerConfig,
): RequestRejection | null {
  if (req.httpVersionMajor !== 1) return { status: 505, details: 'http1.codec_error' };
  if (headers.size > cfg.maxHeadersCount) return { status: 431, details: 'http1.too_many_headers' };
  if (headers.count('host') > 1) return { status: 400, details: 'http1.duplicate_host' };
  if (req.httpVersionMinor === 0 && headers.has('transfer-encoding')) {
    return { status: 400, details: 'http1.transfer_encoding_not_allowed' };
  }
  const url = req.url ?? '';
  if (url.charCodeAt(0) !== 47 /* '/' */) {
    const asterisk = url === '*' && req.method === 'OPTIONS';
    if (!asterisk && !cfg.allowAbsoluteUrl) return { status: 400, details: 'http1.absolute_path_rejected' };
  }
  if (cfg.headersWithUnderscoresAction === 'REJECT_REQUEST') {
    for (let j = 0; j < headers.size; j++) {
      if (headers.nameAt(j).includes('_')) return { status: 400, details: 'http1.unexpected_underscore' };
    }
  }
  return null;
}

/** Removes headers whose names contain `_` (DROP_HEADER policy). */
export function dropUnderscoreHeaders(headers: HeaderMap): void {
  const names: string[] = [];
  for (let j = 0; j < headers.size; j++) if (headers.nameAt(j).includes('_')) names.push(headers.nameAt(j));
  for (const n of names) headers.remove(n);
}
