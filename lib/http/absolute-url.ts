/** What an absolute-form request target (`GET http://host:port/p?q HTTP/1.1`) turns into. */
export interface AbsoluteTarget {
  /** `:scheme`, lower-case: `http` or `https`. */
  readonly scheme: string;
  /** `:authority` and the Host header: host plus the port unless it is the scheme's default. */
  readonly authority: string;
  /** `:path`: path and query, `/` when the URL has none; the fragment is dropped. */
  readonly path: string;
}

/** The streams' view absolute-form handling rewrites. */
export interface AbsoluteFormStream {
  path: string;
  authority: string;
  scheme: string;
  readonly requestHeaders: { set(name: string, value: string): void };
}

/**
 * Parses an absolute-form target the way Envoy's HTTP/1 codec does (Chromium's GURL, for which
 * the WHATWG parser is the Node equivalent: host lower-cased, default port dropped, dot segments
 * resolved). Only http and https are accepted, as in Envoy's Url::initialize. Null = invalid.
 */
export function parseAbsoluteTarget(target: string): AbsoluteTarget | null {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    return null;
  }
  const scheme = u.protocol;
  if (scheme !== 'http:' && scheme !== 'https:') return null;
  if (u.host === '') return null;
  return { scheme: scheme.slice(0, -1), authority: u.host, path: `${u.pathname}${u.search}` };
}

/**
 * allow_absolute_url: `:path`, `:authority` and `:scheme` come from the URL and the Host header
 * is overwritten with its authority (RFC 9112 §3.2.2: a proxy ignores the received Host). False
 * when the URL is invalid (Envoy answers 400 `http1.invalid_url`).
 */
export function applyAbsoluteForm(stream: AbsoluteFormStream): boolean {
  const t = parseAbsoluteTarget(stream.path);
  if (t === null) return false;
  stream.path = t.path;
  stream.authority = t.authority;
  stream.scheme = t.scheme;
  stream.requestHeaders.set('host', t.authority);
  return true;
}
