/**
 * Envoy's HCM path normalisation (`normalize_path`, `merge_slashes`,
 * `path_with_escaped_slashes_action`), applied to `:path` before routing and filters so that
 * routes, RBAC and the upstream all see the same path. Only the part before `?` changes.
 */

/** What the connection manager does after normalising. */
export const PathAction = { Continue: 0, Redirect: 1, Reject: 2 } as const;
export type PathAction = (typeof PathAction)[keyof typeof PathAction];

/** The HCM settings normalisation reads. */
export interface PathNormalizationConfig {
  readonly normalizePath: boolean;
  readonly mergeSlashes: boolean;
  /** Absent = KEEP_UNCHANGED. */
  readonly pathWithEscapedSlashesAction?: EscapedSlashesAction;
}

export type EscapedSlashesAction =
  | 'KEEP_UNCHANGED'
  | 'REJECT_REQUEST'
  | 'UNESCAPE_AND_REDIRECT'
  | 'UNESCAPE_AND_FORWARD';

/** True when the HCM asks for any normalisation (checked once per request, nothing else runs otherwise). */
export function normalizationEnabled(cfg: PathNormalizationConfig): boolean {
  const esc = cfg.pathWithEscapedSlashesAction;
  return cfg.normalizePath || cfg.mergeSlashes || (esc !== undefined && esc !== 'KEEP_UNCHANGED');
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

// RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
function isUnreserved(c: number): boolean {
  const l = c | 0x20;
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 126;
}

/** `%2F`/`%5C` (either case) → `/` and `\`; null when there is none. */
export function unescapeSlashes(path: string): string | null {
  if (!/%(?:2f|5c)/i.test(path)) return null;
  return path.replace(/%2f/gi, '/').replace(/%5c/gi, '\\');
}

/**
 * RFC 3986 normalisation as Envoy's canonicalizer (Chromium's URL path rules) does it: `\` is a
 * `/`, %-escapes of unreserved characters are decoded (so `%2e%2e` is `..`), characters a path
 * may not carry raw are %-escaped, then dot segments are removed. Null when the path cannot be
 * normalised (it does not start with `/`).
 */
export function canonicalPath(path: string): string | null {
  if (path.charCodeAt(0) !== 47 /* / */ && path.charCodeAt(0) !== 92 /* \ */) return null;
  // Most paths are already canonical: one scan, no copy (sidecar mode normalises every request).
  if (isCanonical(path)) return path;
  let buf = '';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < path.length) {
      const hi = hexValue(path.charCodeAt(i + 1));
      const lo = hexValue(path.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        const v = hi * 16 + lo;
        if (isUnreserved(v)) buf += String.fromCharCode(v);
        else buf += path.slice(i, i + 3);
        i += 2;
        continue;
      }
      buf += '%';
    } else if (c === 92) buf += '/';
    else if (c <= 0x20 || c >= 0x7f || c === 34 || c === 60 || c === 62 || c === 96) {
      buf += `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
    } else buf += path[i];
  }
  const segments = buf.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  for (let i = 1; i <= last; i++) {
    const s = segments[i]!;
    if (s === '.' || s === '..') {
      if (s === '..') out.pop();
      // A trailing dot segment leaves the directory: `/a/.` → `/a/`, `/a/b/..` → `/a/`.
      if (i === last) out.push('');
      continue;
    }
    out.push(s);
  }
  return `/${out.join('/')}`;
}

/** No byte the canonicalizer would change and no dot segment: the path is its own canonical form. */
function isCanonical(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 37 || c === 92 || c <= 0x20 || c >= 0x7f || c === 34 || c === 60 || c === 62 || c === 96)
      return false;
  }
  return !path.includes('/.');
}

/** Runs of `/` become one. */
export function mergeSlashes(path: string): string {
  return path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
}

/**
 * Envoy's `maybeNormalizePath`: escaped slashes first (per the action), then `normalize_path`,
 * then `merge_slashes`. Rewrites `target.path` in place and says what to do next: Reject → 400,
 * Redirect → 307 to the new path (UNESCAPE_AND_REDIRECT found an escaped slash).
 */
export function normalizeRequestPath(target: { path: string }, cfg: PathNormalizationConfig): PathAction {
  const full = target.path;
  if (full.length === 0 || full === '*') return PathAction.Continue;
  const q = full.indexOf('?');
  let path = q < 0 ? full : full.slice(0, q);
  let action: PathAction = PathAction.Continue;
  const esc = cfg.pathWithEscapedSlashesAction ?? 'KEEP_UNCHANGED';
  if (esc !== 'KEEP_UNCHANGED') {
    const unescaped = unescapeSlashes(path);
    if (unescaped !== null) {
      if (esc === 'REJECT_REQUEST') return PathAction.Reject;
      if (esc === 'UNESCAPE_AND_REDIRECT') action = PathAction.Redirect;
      path = unescaped;
    }
  }
  if (cfg.normalizePath) {
    const c = canonicalPath(path);
    if (c === null) return PathAction.Reject;
    path = c;
  }
  if (cfg.mergeSlashes) path = mergeSlashes(path);
  target.path = q < 0 ? path : path + full.slice(q);
  return action;
}
