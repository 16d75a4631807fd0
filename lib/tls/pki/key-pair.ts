import { generateKeyPairSync } from 'node:crypto';

/** Key algorithms Skiff can issue: RSA-2048 (Istio's default). */
export type KeyType = 'rsa';

/** A freshly generated key pair in PEM (PKCS#8 private key, SPKI public key). */
export interface KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

/**
 * Why ECDSA is refused: node-forge (the only X.509 builder Skiff depends on) signs with RSA
 * only, and a half-supported key type would fail later, at a handshake, instead of here.
 */
export const EC_UNSUPPORTED =
  'key type "ec" is not supported: certificates are signed with node-forge, which only signs RSA keys; use rsa (RSA-2048, Istio\'s default)';

/** Validates a `--key-type` value; returns the type or a reason. */
export function parseKeyType(raw: string): KeyType | string {
  if (raw === 'rsa') return 'rsa';
  if (raw === 'ec' || raw === 'ecdsa') return EC_UNSUPPORTED;
  return `unknown key type "${raw}" (supported: rsa)`;
}

/** Generates a key with node:crypto (OpenSSL), not in JavaScript. */
export function generateKeyPair(type: KeyType = 'rsa'): KeyPairPem {
  if (type !== 'rsa') throw new Error(EC_UNSUPPORTED);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
