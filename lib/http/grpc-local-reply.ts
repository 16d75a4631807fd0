/**
 * Envoy turns every local reply to a gRPC request into a gRPC "trailers-only" response (HTTP 200
 * whose headers carry the status), because gRPC clients ignore the HTTP status
 * (Utility::sendLocalReply). These helpers build that form.
 */

/** `application/grpc` or `application/grpc+…` (not grpc-web), as Envoy's hasGrpcContentType. */
export function isGrpcContentType(ct: string | undefined): boolean {
  if (ct === undefined || !ct.startsWith('application/grpc')) return false;
  return ct.length === 16 || ct.charCodeAt(16) === 43 /* '+' */;
}

/** Envoy's Grpc::Utility::httpToGrpcStatus. */
export function httpToGrpcStatus(status: number): number {
  switch (status) {
    case 400:
      return 13; // INTERNAL
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    default:
      return 2; // UNKNOWN
  }
}

/** gRPC's percent-encoding for grpc-message: bytes outside 0x20–0x7E, and `%`, become %XX. */
export function percentEncodeGrpcMessage(msg: string): string {
  let plain = true;
  for (let i = 0; i < msg.length; i++) {
    const c = msg.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return msg;
  let out = '';
  for (const b of Buffer.from(msg, 'utf8')) {
    out +=
      b < 0x20 || b > 0x7e || b === 0x25
        ? `%${b.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(b);
  }
  return out;
}

/** Headers of a trailers-only gRPC local reply (sent with HTTP status 200 and no body). */
export function grpcLocalReplyHeaders(
  grpcStatus: number,
  message: string,
  serverName: string | null,
  extra?: readonly string[],
): string[] {
  // HTTP/1 has no trailers-only framing: an empty body with content-length 0, as Envoy's codec sends.
  const out = ['content-length', '0', 'content-type', 'application/grpc', 'grpc-status', String(grpcStatus)];
  if (message !== '') out.push('grpc-message', percentEncodeGrpcMessage(message));
  if (serverName !== null) out.push('server', serverName);
  if (extra !== undefined) for (const v of extra) out.push(v);
  return out;
}
