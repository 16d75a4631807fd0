import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TestCert } from './pki.js';

/** What a TLS upstream saw of one connection's handshake. */
export interface SeenHandshake {
  readonly servername: string | false;
  readonly alpn: string | false;
  /** The client certificate's SAN string, "" without one. */
  readonly clientSan: string;
}

/** An HTTPS upstream on 127.0.0.1:0 recording handshakes and requests. */
export interface TlsUpstream {
  readonly port: number;
  readonly handshakes: SeenHandshake[];
  /** Request URLs, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `name <url>` over TLS with `cert`. `clientCa` set = a client certificate from that CA
 * is required. `alpn` lists what the server accepts (Istio ALPN values need it). `closeEach`
 * closes every connection after its response (each request is a new handshake).
 */
export async function startTlsUpstream(
  name: string,
  cert: TestCert,
  opts: { clientCa?: string; alpn?: string[]; closeEach?: boolean } = {},
): Promise<TlsUpstream> {
  const handshakes: SeenHandshake[] = [];
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer(
    {
      cert: cert.certPem,
      key: cert.keyPem,
      minVersion: 'TLSv1.2',
      ...(opts.clientCa === undefined
        ? {}
        : { ca: opts.clientCa, requestCert: true, rejectUnauthorized: true }),
      ...(opts.alpn === undefined ? {} : { ALPNProtocols: opts.alpn }),
    },
    (req, res) => {
      requests.push(req.url ?? '');
      const body = `${name} ${req.url}`;
      res.writeHead(200, {
        'content-length': Buffer.byteLength(body),
        'x-upstream': name,
        ...(opts.closeEach === true ? { connection: 'close' } : {}),
      });
      res.end(body);
    },
  );
  server.on('secureConnection', (s: TLSSocket) => {
    const peer = s.getPeerCertificate();
    handshakes.push({
      servername: (s as TLSSocket & { servername?: string | false }).servername ?? false,
      alpn: s.alpnProtocol ?? false,
      clientSan: peer?.subjectaltname ?? '',
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Handshake failures are expected in these tests; they must not surface as errors.
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    handshakes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
