import { HeaderMap } from './header-map.js';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) plus the ones Envoy strips at the codec boundary. Names
 * listed in `Connection` are removed too. `te: trailers` is the one value Envoy forwards.
 * `expect` is here because Node answers `Expect: 100-continue` itself.
 */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'http2-settings',
  'expect',
];

/** Lengths of the hop-by-hop names: a name of any other length is never lower-cased. */
const HOP_LENGTHS = new Set(HOP_BY_HOP.map((n) => n.length));

/**
 * The lower-cased name when `n` (any case) is hop-by-hop, else null. Tests the length first:
 * most names fail there, so they are neither lower-cased nor hashed.
 */
function hopByHopName(n: string): string | null {
  if (!HOP_LENGTHS.has(n.length)) return null;
  const lower = n.toLowerCase();
  return HOP_BY_HOP.includes(lower) ? lower : null;
}

function connectionTokens(value: string | undefined): Set<string> | null {
  if (value === undefined) return null;
  let out: Set<string> | null = null;
  for (const part of value.split(',')) {
    const t = part.trim().toLowerCase();
    // A client must not be able to strip end-to-end framing or routing headers by naming them.
    if (t === '' || t === 'close' || t === 'keep-alive' || t === 'host' || t === 'content-length') continue;
    out ??= new Set();
    out.add(t);
  }
  return out;
}

/** Removes hop-by-hop headers from a request header map in place. */
export function stripRequestHopByHop(h: HeaderMap): void {
  const listed = connectionTokens(h.get('connection'));
  const te = h.get('te');
  let dirty = false;
  for (let j = 0; j < h.size; j++) {
    const n = h.rawNameAt(j);
    if (hopByHopName(n) !== null || listed?.has(n.toLowerCase())) {
      dirty = true;
      break;
    }
  }
  if (!dirty) return;
  for (const n of HOP_BY_HOP) h.remove(n);
  if (listed !== null) for (const n of listed) h.remove(n);
  if (te !== undefined && /(^|,)\s*trailers\s*(,|$)/i.test(te)) h.add('te', 'trailers');
}

/**
 * Builds the downstream response header map from undici's raw header buffers, dropping
 * hop-by-hop names in the same pass (so the common case allocates one array).
 */
export function responseHeadersFromRaw(raw: Buffer[]): HeaderMap {
  const flat: string[] = [];
  let connection: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const hop = hopByHopName(name);
    if (hop !== null) {
      if (hop === 'connection') connection = raw[i + 1]!.toString('latin1');
      continue;
    }
    flat.push(name, raw[i + 1]!.toString('latin1'));
  }
  const map = new HeaderMap(flat);
  if (connection !== null) {
    const listed = connectionTokens(connection);
    if (listed !== null) for (const n of listed) map.remove(n);
  }
  return map;
}
