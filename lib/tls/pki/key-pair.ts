import { generateKeyPair as generateKeyPairCb, generateKeyPairSync } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * Key algorithms Skiff can issue: RSA-2048 (Istio's default) or ECDSA P-256 (Istio's
 * `ECC_SIGNATURE_ALGORITHM=ECDSA`).
 */
export type KeyType = 'rsa' | 'ec';

/** The `--key-type` values, as help and errors list them. */
export const KEY_TYPES: readonly KeyType[] = ['rsa', 'ec'];

/** A freshly generated key pair in PEM (PKCS#8 private key, SPKI public key). */
export interface KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

/** True when `raw` names a key type. */
export function isKeyType(raw: string): raw is KeyType {
  return (KEY_TYPES as readonly string[]).includes(raw);
}

/** Validates a `--key-type` value; returns the type or a reason. */
export function parseKeyType(raw: string): KeyType | string {
  if (isKeyType(raw)) return raw;
  return `unknown key type "${raw}" (supported: ${KEY_TYPES.join(', ')})`;
}

// PKCS#8 and SPKI PEM, what Istio mounts and Node's TLS reads.
const EC = {
  namedCurve: 'prime256v1',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;
const RSA = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;
const generateKeyPairPromise = promisify(generateKeyPairCb);

/** Generates a key with node:crypto (OpenSSL), not in JavaScript. */
export function generateKeyPair(type: KeyType = 'rsa'): KeyPairPem {
  const { privateKey, publicKey } =
    type === 'ec' ? generateKeyPairSync('ec', EC) : generateKeyPairSync('rsa', RSA);
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * The same key, generated on libuv's thread pool: an RSA-2048 key takes tens to hundreds of
 * milliseconds, which a renewing sidecar must not spend on its event loop.
 */
export async function generateKeyPairAsync(type: KeyType = 'rsa'): Promise<KeyPairPem> {
  const { privateKey, publicKey } =
    type === 'ec' ? await generateKeyPairPromise('ec', EC) : await generateKeyPairPromise('rsa', RSA);
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
