/**
 * Certificate files a config names (Envoy `DataSource.filename` in TLS contexts, Istio
 * DestinationRule `tls` paths), checked when the config is loaded to be served: Envoy refuses a
 * bootstrap or a cluster whose certificate cannot be read, and so does Skiff, naming the field,
 * instead of failing at bind time or at the first upstream connection.
 * Translating or dumping a config for another machine does not check (the files live there).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFailure } from '../util/fs-errors.js';
import type { ConfigIssue } from './errors.js';

/** A reference to certificate files, with the config field that holds it. */
export type TlsFileRef =
  | {
      readonly kind: 'key-pair';
      readonly file: string;
      /** The field holding the certificate chain path; the key's field is named in messages. */
      readonly certPath: string;
      readonly keyPath: string;
      readonly certChain: string;
      readonly privateKey: string;
    }
  | { readonly kind: 'ca'; readonly file: string; readonly path: string; readonly ca: string };

/** Where decoders put the references they read (absent = not collected). */
export interface TlsFileRefSink {
  readonly tlsFiles?: TlsFileRef[];
}

type Read = { readonly text: string } | { readonly error: string };

/** Issues for every unreadable or unusable file; each file is read once. */
export function checkTlsFiles(refs: readonly TlsFileRef[]): ConfigIssue[] {
  const cache = new Map<string, Read>();
  const read = (p: string): Read => {
    let r = cache.get(p);
    if (r === undefined) {
      r = readPem(p);
      cache.set(p, r);
    }
    return r;
  };
  const issues: ConfigIssue[] = [];
  for (const ref of refs) {
    if (ref.kind === 'ca') {
      const problem = caProblem(ref.ca, read(ref.ca));
      if (problem !== null) issues.push({ file: ref.file, path: ref.path, message: problem });
      continue;
    }
    const cert = read(ref.certChain);
    const key = read(ref.privateKey);
    if ('error' in cert) issues.push({ file: ref.file, path: ref.certPath, message: cert.error });
    if ('error' in key) issues.push({ file: ref.file, path: ref.keyPath, message: key.error });
    if ('error' in cert || 'error' in key) continue;
    const problem = keyPairProblem(ref, cert.text, key.text);
    if (problem !== null) issues.push({ file: ref.file, path: problem.path, message: problem.message });
  }
  // One DestinationRule can stand behind several clusters (ports, subsets): say each thing once.
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.file}\0${i.path}\0${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function readPem(p: string): Read {
  try {
    return { text: readFileSync(p, 'utf8') };
  } catch (err) {
    return { error: `cannot read ${p}: ${readFailure(err)}` };
  }
}

function caProblem(p: string, r: Read): string | null {
  if ('error' in r) return r.error;
  if (!r.text.includes('-----BEGIN CERTIFICATE-----')) return `${p} holds no PEM certificate`;
  try {
    new X509Certificate(r.text);
    return null;
  } catch (err) {
    return `${p} is not a readable certificate: ${(err as Error).message}`;
  }
}

function keyPairProblem(
  ref: Extract<TlsFileRef, { kind: 'key-pair' }>,
  certText: string,
  keyText: string,
): { path: string; message: string } | null {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certText);
  } catch (err) {
    return {
      path: ref.certPath,
      message: `${ref.certChain} is not a readable PEM certificate: ${(err as Error).message}`,
    };
  }
  try {
    const key = createPrivateKey(keyText);
    if (!leaf.checkPrivateKey(key))
      return {
        path: ref.keyPath,
        message: `${ref.privateKey} does not match the certificate in ${ref.certChain}`,
      };
  } catch (err) {
    return {
      path: ref.keyPath,
      message: `${ref.privateKey} is not a readable PEM private key: ${(err as Error).message}`,
    };
  }
  return null;
}
