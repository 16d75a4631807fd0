/** A small mesh of `skiff run` sidecar processes sharing one CA made by `skiff pki init`. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCert } from './pki.js';
import { freePort, runSkiff, type SkiffProcess, spawnSkiff } from './skiff-process.js';

/** A sidecar process with the ports it listens on (null when that listener is off). */
export interface MeshSidecar {
  readonly proc: SkiffProcess;
  readonly outbound: number | null;
  readonly inbound: number | null;
  readonly adminBase: string;
  stop(): Promise<void>;
}

/** Options of `startMeshSidecar`. */
export interface MeshSidecarOptions {
  readonly caDir: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Istio resources (YAML documents). */
  readonly yaml: string;
  readonly outbound?: boolean;
  readonly inbound?: boolean;
  readonly appPort?: number;
  readonly certTtl?: string;
  readonly logLevel?: string;
}

/** `skiff pki init --out DIR` in a fresh temporary directory; returns DIR. */
export async function meshCa(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'skiff-mesh-')), 'ca');
  const r = await runSkiff(['pki', 'init', '--out', dir]);
  if (r.code !== 0) throw new Error(`skiff pki init failed (${r.code}): ${r.output}`);
  return dir;
}

/** `skiff pki issue` for `spiffeId`, read back as a TestCert. */
export async function meshIssue(caDir: string, spiffeId: string, ttl = '1h'): Promise<TestCert> {
  const out = mkdtempSync(join(tmpdir(), 'skiff-mesh-cert-'));
  const r = await runSkiff([
    'pki',
    'issue',
    '--ca',
    caDir,
    '--spiffe',
    spiffeId,
    '--ttl',
    ttl,
    '--out',
    out,
    '--force',
  ]);
  if (r.code !== 0) throw new Error(`skiff pki issue failed (${r.code}): ${r.output}`);
  const certPath = join(out, 'cert-chain.pem');
  const keyPath = join(out, 'key.pem');
  const caPath = join(out, 'root-cert.pem');
  return {
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
    caPem: readFileSync(caPath, 'utf8'),
    certPath,
    keyPath,
    caPath,
  };
}

/** Starts `skiff run` as the sidecar of one workload and waits (bounded) until its listeners are up. */
export async function startMeshSidecar(o: MeshSidecarOptions): Promise<MeshSidecar> {
  const cfg = join(mkdtempSync(join(tmpdir(), 'skiff-mesh-cfg-')), `${o.serviceAccount}.yaml`);
  writeFileSync(cfg, o.yaml);
  const outbound = o.outbound === true ? await freePort() : null;
  const inbound = o.inbound === true ? await freePort() : null;
  const args = [
    'run',
    '-c',
    cfg,
    '--ca-dir',
    o.caDir,
    '--namespace',
    o.namespace,
    '--service-account',
    o.serviceAccount,
    '--outbound-port',
    String(outbound ?? 0),
    '--inbound-port',
    String(inbound ?? 0),
    '--health-port',
    '0',
    '--stats-port',
    '0',
    '--admin-port',
    '0',
    '--bind-address',
    '127.0.0.1',
    '--log-level',
    o.logLevel ?? 'info',
    ...(o.appPort === undefined ? [] : ['--app-port', String(o.appPort)]),
    ...(o.certTtl === undefined ? [] : ['--cert-ttl', o.certTtl]),
  ];
  const proc = spawnSkiff(args);
  try {
    // Generous: the first certificate's RSA key and Node's start are slow on a loaded machine.
    const ms = 30_000;
    if (outbound !== null)
      await proc.waitFor(/listener virtualOutbound listening/, 'the outbound listener', ms);
    if (inbound !== null) await proc.waitFor(/listener virtualInbound listening/, 'the inbound listener', ms);
    const admin = await proc.waitFor(/admin listening on [\d.]+:(\d+)/, 'the admin listener', ms);
    return {
      proc,
      outbound,
      inbound,
      adminBase: `http://127.0.0.1:${admin[1]}`,
      stop: () => proc.stop(),
    };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
