/** TLS clients for mTLS tests: one request over TLS, raw TCP, CLI clients. */
import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { connect, type SecureVersion } from 'node:tls';
import type { TestCert } from './pki.js';

export interface TlsClientOptions {
  readonly cert?: TestCert;
  /** Roots to verify the server with; absent = no verification. */
  readonly ca?: string;
  readonly alpn?: string[];
  readonly maxVersion?: SecureVersion;
  readonly minVersion?: SecureVersion;
  /** The Host header; default `test`. */
  readonly host?: string;
}

/** What came back: the bytes received before the connection closed, and the server's leaf. */
export interface TlsExchange {
  readonly bytes: string;
  readonly handshake: boolean;
  readonly alpn: string;
  readonly serverSerial: string;
  readonly error: string;
}

/**
 * Sends one `Connection: close` GET over TLS and collects everything until the connection closes
 * (or `timeoutMs`, then it is cut). Rejections show up as no bytes.
 */
export function tlsRequest(
  port: number,
  o: TlsClientOptions = {},
  path = '/',
  headers = '',
  timeoutMs = 5000,
): Promise<TlsExchange> {
  return new Promise((resolve) => {
    let bytes = '';
    let handshake = false;
    let alpn = '';
    let serverSerial = '';
    let error = '';
    const s = connect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: o.ca !== undefined,
      ...(o.ca === undefined ? {} : { ca: o.ca }),
      checkServerIdentity: () => undefined,
      ...(o.cert === undefined ? {} : { cert: o.cert.certPem, key: o.cert.keyPem }),
      ALPNProtocols: o.alpn ?? ['http/1.1'],
      ...(o.maxVersion === undefined ? {} : { maxVersion: o.maxVersion }),
      ...(o.minVersion === undefined ? {} : { minVersion: o.minVersion }),
    });
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.on('secureConnect', () => {
      handshake = true;
      alpn = typeof s.alpnProtocol === 'string' ? s.alpnProtocol : '';
      serverSerial = s.getPeerCertificate().serialNumber ?? '';
      s.write(`GET ${path} HTTP/1.1\r\nhost: ${o.host ?? 'test'}\r\nconnection: close\r\n${headers}\r\n`);
    });
    s.on('data', (d: Buffer) => {
      bytes += d.toString('latin1');
    });
    s.on('error', (e: Error & { code?: string }) => {
      error = e.code ?? e.message;
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes, handshake, alpn, serverSerial, error });
    });
  });
}

/** Sends raw bytes over plain TCP and returns what came back before the close (or the timeout). */
export function rawTcp(
  port: number,
  data: string | null,
  timeoutMs = 5000,
): Promise<{ bytes: string; closed: boolean }> {
  return new Promise((resolve) => {
    let bytes = '';
    let closed = false;
    const s = netConnect(port, '127.0.0.1', () => {
      if (data !== null) s.write(data);
    });
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.on('data', (d: Buffer) => {
      bytes += d.toString('latin1');
    });
    s.on('error', () => undefined);
    s.on('end', () => {
      closed = true;
    });
    s.on('close', (hadError) => {
      clearTimeout(timer);
      resolve({ bytes, closed: closed || hadError });
    });
  });
}

/** Runs a CLI client asynchronously (the proxy under test shares this process's event loop). */
export function runClient(
  cmd: string,
  args: string[],
  input = '',
  timeoutMs = 10_000,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('latin1');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('latin1');
    });
    child.on('error', (e) => {
      stderr += e.message;
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
