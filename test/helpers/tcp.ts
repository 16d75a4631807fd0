/** tcp_proxy test helpers: bootstraps built in code, echo upstreams, a raw client. */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { formatIssue } from '../../lib/config/errors.js';
import { loadConfigText } from '../../lib/config/load.js';
import type { Bootstrap, FilterChainConfig, ListenerConfig, TcpProxyConfig } from '../../lib/config/model.js';
import { fill, simpleBootstrap } from './proxy.js';

/** Defaults as Envoy's, for a config built in code until the YAML decoder lands. */
export function tcpProxyConfig(p: Partial<TcpProxyConfig> = {}): TcpProxyConfig {
  return {
    statPrefix: 'tcp_test',
    clusters: [{ name: 'backend', weight: 1 }],
    idleTimeoutMs: 3_600_000,
    maxConnectAttempts: 1,
    maxDownstreamConnectionDurationMs: 0,
    accessLog: [],
    ...p,
  };
}

/** Decodes YAML (HTTP listeners, any clusters) with `fill`, failing loudly on config errors. */
export function decode(yaml: string, vars: Record<string, string | number> = {}): Bootstrap {
  const loaded = loadConfigText(fill(yaml, vars), 'test.yaml');
  if (!loaded.ok) throw new Error(`test config rejected:\n${loaded.issues.map(formatIssue).join('\n')}`);
  return loaded.bootstrap;
}

/** `clusters` YAML plus one plaintext tcp_proxy listener named `tcp` on port 0. */
export function tcpBootstrap(clusters: string, proxy: Partial<TcpProxyConfig> = {}): Bootstrap {
  const base = decode(
    simpleBootstrap({
      clusters,
      routes: '              - { match: { prefix: "/" }, direct_response: { status: 200 } }',
    }),
  );
  const chain: FilterChainConfig = { name: 'tcp', tcpProxy: tcpProxyConfig(proxy) };
  const listener: ListenerConfig = { ...base.listeners[0]!, name: 'tcp', filterChains: [chain] };
  return { ...base, listeners: [listener] };
}

/** A TCP server on 127.0.0.1:0, half-open capable; `onSocket` scripts each connection. */
export async function startTcpServer(
  onSocket: (s: Socket) => void,
): Promise<{ server: Server; port: number; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => sockets.delete(s));
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    port,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Echoes every byte, prefixed once by `tag`, and ends when the client ends. */
export function echo(tag = ''): (s: Socket) => void {
  return (s) => {
    if (tag !== '') s.write(tag);
    s.pipe(s);
  };
}

/** An echoing app (speaking `banner` first, if any) that counts the connections it accepted. */
export async function startEchoApp(
  banner = '',
): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  let connections = 0;
  const app = await startTcpServer((s) => {
    connections++;
    echo(banner)(s);
  });
  return { port: app.port, connections: () => connections, close: app.close };
}

/** A client connection collecting what it receives; every wait is bounded. */
export class TcpClient {
  readonly socket: Socket;
  received = '';
  closed = false;
  ended = false;
  error: string | null = null;
  private readonly closedPromise: Promise<void>;
  private onEnd: (() => void) | null = null;
  private readonly closedOrEnded: Promise<void>;

  constructor(port: number) {
    this.socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    this.socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
    });
    this.socket.on('end', () => {
      this.ended = true;
      this.onEnd?.();
    });
    this.socket.on('error', (e: NodeJS.ErrnoException) => {
      this.error = e.code ?? e.message;
    });
    this.closedPromise = new Promise((r) =>
      this.socket.once('close', () => {
        this.closed = true;
        r();
      }),
    );
    const ended = new Promise<void>((r) => {
      this.onEnd = r;
    });
    this.closedOrEnded = Promise.race([this.closedPromise, ended]);
  }

  /** Resolves once the received text matches `re`. */
  async waitFor(re: RegExp, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!re.test(this.received)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${re}; got ${JSON.stringify(this.received.slice(0, 200))}`);
      if (this.closed)
        throw new Error(`closed before ${re}; got ${JSON.stringify(this.received.slice(0, 200))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }

  /** Resolves when the proxy closed the connection (FIN or reset); throws after `ms`. */
  async waitClosed(ms = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out waiting for close')), ms);
    });
    try {
      await Promise.race([this.closedOrEnded, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}
