import type { HeaderMap } from '../http/header-map.js';
import { isHexId, widenTraceId } from './ids.js';

/** What extraction found on the request; StreamTrace implements it, so nothing extra is allocated. */
export interface TraceContext {
  /** The caller's trace id (16 or 32 hex), '' = none (a new trace starts). */
  traceId: string;
  /** The caller's span (our span's parent), '' = none. */
  parentSpanId: string;
  /** The caller's sampling decision: 1 sampled, 0 not, -1 none (ours decides). */
  incomingSampled: number;
  /** W3C `tracestate`, passed on unchanged ('' = none). */
  traceState: string;
  /** The request carried a single `b3` header: the upstream gets one too. */
  b3Single: boolean;
}

/**
 * Reads the caller's context: W3C `traceparent` (+ `tracestate`), else single `b3`, else the
 * B3 multi headers. A malformed header is ignored as a whole, so the request starts a new trace.
 */
export function extractContext(h: HeaderMap, ctx: TraceContext): void {
  const tp = h.get('traceparent');
  if (tp !== undefined && parseTraceparent(tp, ctx)) {
    ctx.traceState = h.get('tracestate') ?? '';
    return;
  }
  const single = h.get('b3');
  if (single !== undefined) {
    ctx.b3Single = true;
    if (parseB3Single(single, ctx)) return;
  }
  parseB3Multi(h, ctx);
}

/** `version-traceid-parentid-flags`; version 00 is exactly 55 chars, later ones may append fields. */
export function parseTraceparent(v: string, ctx: TraceContext): boolean {
  if (v.length < 55 || !isHex(v, 0, 2) || v.startsWith('ff')) return false;
  if (v.charCodeAt(2) !== 45 || v.charCodeAt(35) !== 45 || v.charCodeAt(52) !== 45) return false;
  if (v.startsWith('00') ? v.length !== 55 : v.length > 55 && v.charCodeAt(55) !== 45) return false;
  if (!isHexId(v, 3, 32) || !isHexId(v, 36, 16) || !isHex(v, 53, 2)) return false;
  ctx.traceId = v.slice(3, 35);
  ctx.parentSpanId = v.slice(36, 52);
  ctx.incomingSampled = Number.parseInt(v.slice(53, 55), 16) & 1;
  return true;
}

/** `b3: {traceid}-{spanid}[-{sampled}[-{parentspanid}]]`, or a lone decision `0|1|d`. */
export function parseB3Single(v: string, ctx: TraceContext): boolean {
  if (v.length === 1) {
    const s = b3Decision(v);
    if (s !== -1) ctx.incomingSampled = s;
    return s !== -1;
  }
  const parts = v.split('-');
  if (parts.length < 2 || parts.length > 4) return false;
  const [tid, sid, sampled, parent] = parts as [string, string, string | undefined, string | undefined];
  if (!validTraceId(tid) || !isHexId(sid, 0, 16) || sid.length !== 16) return false;
  let s = -1;
  if (sampled !== undefined) {
    s = b3Decision(sampled);
    if (s === -1) return false;
  }
  if (parent !== undefined && (parent.length !== 16 || !isHexId(parent, 0, 16))) return false;
  ctx.traceId = tid;
  ctx.parentSpanId = sid;
  ctx.incomingSampled = s;
  return true;
}

/** `x-b3-traceid` / `x-b3-spanid` / `x-b3-sampled` / `x-b3-flags` (debug forces sampling). */
export function parseB3Multi(h: HeaderMap, ctx: TraceContext): void {
  const tid = h.get('x-b3-traceid');
  const sid = h.get('x-b3-spanid');
  if (tid !== undefined || sid !== undefined) {
    // Ids must come in pairs and be well formed; otherwise the whole context is ignored.
    if (
      tid === undefined ||
      sid === undefined ||
      !validTraceId(tid) ||
      sid.length !== 16 ||
      !isHexId(sid, 0, 16)
    )
      return;
    ctx.traceId = tid;
    ctx.parentSpanId = sid;
  }
  if (h.get('x-b3-flags') === '1') {
    ctx.incomingSampled = 1;
    return;
  }
  const sampled = h.get('x-b3-sampled');
  if (sampled === '1' || sampled === 'true') ctx.incomingSampled = 1;
  else if (sampled === '0' || sampled === 'false') ctx.incomingSampled = 0;
}

/**
 * Writes the context the upstream continues from: `spanId` becomes its parent. W3C and B3 multi
 * always (either kind of application then finds its format); single `b3` when the request had one.
 */
export function injectContext(
  h: HeaderMap,
  traceId: string,
  spanId: string,
  parentSpanId: string,
  sampled: boolean,
  ctx: TraceContext,
): void {
  const s = sampled ? '1' : '0';
  h.set('traceparent', `00-${widenTraceId(traceId)}-${spanId}-${sampled ? '01' : '00'}`);
  if (ctx.traceState !== '') h.set('tracestate', ctx.traceState);
  else h.remove('tracestate');
  h.set('x-b3-traceid', traceId);
  h.set('x-b3-spanid', spanId);
  if (parentSpanId !== '') h.set('x-b3-parentspanid', parentSpanId);
  else h.remove('x-b3-parentspanid');
  h.set('x-b3-sampled', s);
  if (ctx.b3Single)
    h.set(
      'b3',
      parentSpanId === '' ? `${traceId}-${spanId}-${s}` : `${traceId}-${spanId}-${s}-${parentSpanId}`,
    );
}

function validTraceId(id: string): boolean {
  return (id.length === 32 || id.length === 16) && isHexId(id, 0, id.length);
}

function b3Decision(v: string): number {
  return v === '1' || v === 'd' ? 1 : v === '0' ? 0 : -1;
}

function isHex(s: string, start: number, len: number): boolean {
  for (let i = start; i < start + len; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
