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

/**
 * Hop-by-hop names indexed by length: a name of any other length is never lower-cased, and one
 * of a listed length is compared with one or two candidates instead of the whole list.
 */
const BY_LENGTH: string[][] = [];
for (const n of HOP_BY_HOP) (BY_LENGTH[n.length] ??= []).push(n);

/** The lower-cased name when `n` (any case) is hop-by-hop, else null. */
function hopByHopName(n: string): string | null {
  const candidates = BY_LENGTH[n.length];
  if (candidates === undefined) return null;
  const lower = n.toLowerCase();
  for (let i = 0; i < candidates.length; i++) if (candidates[i] === lower) return lower;
  return null;
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

/**
 * Removes hop-by-hop headers from a request header map in place. Almost every HTTP/1.1 client
 * sends `Connection: keep-alive`, so this is the common path: one pass finds the hop-by-hop
 * lines (and the Connection / TE values), a second copies the survivors once, instead of one
 * scan and one array copy per hop-by-hop name.
 */
export function stripRequestHopByHop(h: HeaderMap): void {
  const raw = h.flat();
  let connection: string | undefined;
  let te: string | undefined;
  let found = false;
  for (let i = 0; i < raw.length; i += 2) {
    const hop = hopByHopName(raw[i]!);
    if (hop === null) continue;
    found = true;
    // Repeated lines are comma-joined, as HeaderMap.get() would.
    if (hop === 'connection')
      connection = connection === undefined ? raw[i + 1]! : `${connection}, ${raw[i + 1]}`;
    else if (hop === 'te') te = te === undefined ? raw[i + 1]! : `${te}, ${raw[i + 1]}`;
  }
  if (!found) return;
  const listed = connectionTokens(connection);
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (hopByHopName(n) !== null || listed?.has(n.toLowerCase())) continue;
    kept.push(n, raw[i + 1]!);
  }
  h.replaceAll(kept);
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
