/**
 * Headers of an Envoy local reply: `content-length`, `content-type: text/plain` when there is a
 * body, `server` from the HCM's server_name (unless PASS_THROUGH), then any extra pairs (e.g.
 * `x-envoy-overloaded`).
 */
export function localReplyHeaders(
  body: string,
  serverName: string | null,
  extra?: readonly string[],
): string[] {
  const out =
    body === ''
      ? ['content-length', '0']
      : ['content-length', String(Buffer.byteLength(body)), 'content-type', 'text/plain'];
  // PASS_THROUGH (null) leaves the server header to whoever produced the response: nobody here.
  if (serverName !== null) out.push('server', serverName);
  if (extra !== undefined) for (const v of extra) out.push(v);
  return out;
}

/** Envoy's body for a rejected downstream request (codec error). */
export const BAD_REQUEST_BODY = 'Bad Request';
