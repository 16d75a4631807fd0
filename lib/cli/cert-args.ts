/** `skiff run` flags that give the sidecar its workload certificate: mounted files or a CA to issue from. */
import { spiffeId, type WorkloadInfo } from '../config/istio/workload.js';
import { SkiffError } from '../errors.js';
import { isKeyType, type KeyType, parseKeyType } from '../tls/pki/key-pair.js';
import { parseTtl } from '../tls/pki/ttl.js';
import type { CertificateProvider } from '../tls/types.js';
import type { Logger } from '../util/logger.js';
import { usage } from './args.js';

/** The extra `parseArgs` options of `run`. */
export const CERT_FLAGS = {
  'cert-dir': { type: 'string' },
  'ca-dir': { type: 'string' },
  'cert-ttl': { type: 'string' },
  'cert-key-type': { type: 'string' },
} as const satisfies Record<string, { type: 'string' }>;

/** What the flags ask for, checked before any config is read. */
export type CertificateRequest =
  | { readonly kind: 'none' }
  | { readonly kind: 'files'; readonly dir: string }
  | { readonly kind: 'ca'; readonly dir: string; readonly ttlMs: number; readonly keyType?: KeyType };

type Values = Readonly<Record<string, string | undefined>>;

/**
 * The shortest `--cert-ttl`: X.509 keeps whole seconds (up to one is lost) and renewal comes at
 * half of what is left, so below this a certificate would be renewed about as fast as an RSA key
 * is generated, or be expired when issued.
 */
export const MIN_CERT_TTL_MS = 3000;

/** Validates `--cert-dir` / `--ca-dir` / `--cert-ttl` / `--cert-key-type` (usage errors exit 2). */
export function certificateRequestFrom(values: Values): CertificateRequest {
  const certDir = values['cert-dir'];
  const caDir = values['ca-dir'];
  const ttlRaw = values['cert-ttl'];
  if (certDir !== undefined && caDir !== undefined) usage('--cert-dir and --ca-dir exclude each other');
  if (certDir === '' || caDir === '') usage(`--${certDir === '' ? 'cert-dir' : 'ca-dir'}: empty path`);
  const keyRaw = values['cert-key-type'];
  if (ttlRaw !== undefined && caDir === undefined)
    usage('--cert-ttl needs --ca-dir (mounted certificates carry their own lifetime)');
  if (keyRaw !== undefined && caDir === undefined)
    usage('--cert-key-type needs --ca-dir (mounted certificates carry their own key)');
  if (certDir !== undefined) return { kind: 'files', dir: certDir };
  if (caDir === undefined) return { kind: 'none' };
  const ttlMs = parseTtl(ttlRaw ?? '24h');
  if (typeof ttlMs === 'string') usage(`--cert-ttl: ${ttlMs}`);
  if (ttlMs < MIN_CERT_TTL_MS) usage(`--cert-ttl: "${ttlRaw}" is too short, the minimum is 3s`);
  if (keyRaw === undefined) return { kind: 'ca', dir: caDir, ttlMs };
  const keyType = parseKeyType(keyRaw);
  if (!isKeyType(keyType)) usage(`--cert-key-type: ${keyType}`);
  return { kind: 'ca', dir: caDir, ttlMs, keyType };
}

/** Opens the provider for `workload` (exit 1 with the reason when the files or CA are unusable). */
export async function openCertificateProvider(
  req: CertificateRequest,
  workload: WorkloadInfo,
  logger: Logger,
): Promise<CertificateProvider | undefined> {
  // Imported on demand: issuing loads node-forge (~3 MiB of RSS), which a sidecar without
  // certificates never needs.
  try {
    switch (req.kind) {
      case 'none':
        return undefined;
      case 'files': {
        const { FileCertificateProvider } = await import('../tls/file-certificate-provider.js');
        return FileCertificateProvider.open({ dir: req.dir, logger });
      }
      case 'ca': {
        const { CaIssuingProvider } = await import('../tls/ca-issuing-provider.js');
        return CaIssuingProvider.start({
          caDir: req.dir,
          spiffeId: spiffeId(workload),
          ttlMs: req.ttlMs,
          ...(req.keyType === undefined ? {} : { keyType: req.keyType }),
          logger,
        });
      }
    }
  } catch (err) {
    const flag = req.kind === 'files' ? '--cert-dir' : '--ca-dir';
    throw new SkiffError(
      'SKIFF_ERR_CONFIG_READ',
      `${flag} ${req.kind === 'none' ? '' : req.dir}: ${(err as Error).message}`,
    );
  }
}
