import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { CertificateProvider, WorkloadCertificate } from '../../lib/tls/types.js';
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

/** A CertificateProvider over test PEMs; `rotate` swaps the certificate and tells listeners. */
export class TestCertificateProvider implements CertificateProvider {
  private cert: WorkloadCertificate | null;
  private readonly listeners = new Set<() => void>();

  constructor(leaf: TestCert | null, spiffeId: string | null = null) {
    this.cert = leaf === null ? null : TestCertificateProvider.of(leaf, spiffeId);
  }

  static of(leaf: TestCert, spiffeId: string | null): WorkloadCertificate {
    return {
      certChainPem: leaf.certPem,
      privateKeyPem: leaf.keyPem,
      rootCertPem: leaf.caPem,
      spiffeId,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
    };
  }

  current(): WorkloadCertificate | null {
    return this.cert;
  }

  onRotate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  rotate(leaf: TestCert, spiffeId: string | null = null): void {
    this.cert = TestCertificateProvider.of(leaf, spiffeId);
    for (const l of this.listeners) l();
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  close(): void {
    this.listeners.clear();
  }
}
