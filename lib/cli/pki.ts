import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SkiffError } from '../errors.js';
import { inspectCertificate, splitPemCertificates } from '../tls/pki/inspect.js';
import { isKeyType, type KeyType, parseKeyType } from '../tls/pki/key-pair.js';
import {
  CA_FILES,
  PkiFileError,
  readCaDir,
  rootCaFiles,
  workloadFiles,
  writePkiFiles,
} from '../tls/pki/pki-files.js';
import { createRootCa } from '../tls/pki/root-ca.js';
import { parseSpiffeId, trustDomainProblem } from '../tls/pki/spiffe-id.js';
import { parseTtl } from '../tls/pki/ttl.js';
import { issueWorkloadCertificate } from '../tls/pki/workload-cert.js';
import { PKI_HELP } from './help.js';
import type { Io } from './io.js';

function usage(message: string): never {
  throw new SkiffError('SKIFF_ERR_USAGE', `pki${message.startsWith(':') ? '' : ' '}${message}`);
}

type Flags = Record<string, { type: 'string' | 'boolean' }>;

function parse(
  sub: string,
  argv: readonly string[],
  options: Flags,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (err) {
    usage(`${sub}: ${(err as Error).message}`);
  }
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function required(sub: string, values: Record<string, string | boolean | undefined>, flag: string): string {
  const v = str(values[flag]);
  if (v === undefined || v === '') usage(`${sub}: --${flag} is required`);
  return v;
}

function keyType(sub: string, raw: string | undefined): KeyType {
  const k = parseKeyType(raw ?? 'rsa');
  if (!isKeyType(k)) usage(`${sub}: --key-type: ${k}`);
  return k;
}

/** Runs `fn`, turning file problems the user can fix into usage errors (exit 2). */
function userFiles<T>(sub: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PkiFileError) usage(`${sub}: ${err.message}`);
    throw err;
  }
}

function init(argv: readonly string[], io: Io): number {
  const { values, positionals } = parse('init', argv, {
    out: { type: 'string' },
    'trust-domain': { type: 'string' },
    'ttl-days': { type: 'string' },
    'key-type': { type: 'string' },
    force: { type: 'boolean' },
  });
  if (values.help === true) return help(io);
  if (positionals.length > 0) usage(`init: unexpected argument "${positionals[0]}"`);
  const out = required('init', values, 'out');
  const trustDomain = str(values['trust-domain']) ?? 'cluster.local';
  const tdProblem = trustDomainProblem(trustDomain);
  if (tdProblem !== null) usage(`init: --trust-domain: ${tdProblem}`);
  const daysRaw = str(values['ttl-days']) ?? '3650';
  if (!/^\d{1,6}$/.test(daysRaw) || Number(daysRaw) === 0)
    usage(`init: --ttl-days: "${daysRaw}" is not a positive number of days`);
  const ca = createRootCa({
    trustDomain,
    ttlDays: Number(daysRaw),
    keyType: keyType('init', str(values['key-type'])),
  });
  userFiles('init', () => writePkiFiles(out, rootCaFiles(ca), values.force === true));
  const info = inspectCertificate(ca.certPem);
  io.out(
    `skiff: root CA for trust domain ${trustDomain} written to ${out} (${Object.values(CA_FILES).join(', ')}), valid until ${info.notAfter.toISOString()}\n`,
  );
  return 0;
}

function issue(argv: readonly string[], io: Io): number {
  const { values, positionals } = parse('issue', argv, {
    ca: { type: 'string' },
    spiffe: { type: 'string' },
    ttl: { type: 'string' },
    out: { type: 'string' },
    'key-type': { type: 'string' },
    force: { type: 'boolean' },
  });
  if (values.help === true) return help(io);
  if (positionals.length > 0) usage(`issue: unexpected argument "${positionals[0]}"`);
  const caDir = required('issue', values, 'ca');
  const spiffe = required('issue', values, 'spiffe');
  const out = required('issue', values, 'out');
  const id = parseSpiffeId(spiffe);
  if (typeof id === 'string') usage(`issue: --spiffe: ${id}`);
  const ttlMs = parseTtl(str(values.ttl) ?? '24h');
  if (typeof ttlMs === 'string') usage(`issue: --ttl: ${ttlMs}`);
  const kt = keyType('issue', str(values['key-type']));
  const ca = userFiles('issue', () => readCaDir(caDir));
  let cert: ReturnType<typeof issueWorkloadCertificate>;
  try {
    cert = issueWorkloadCertificate({ ca, spiffeId: spiffe, ttlMs, keyType: kt });
  } catch (err) {
    usage(`issue: ${(err as Error).message}`);
  }
  userFiles('issue', () => writePkiFiles(out, workloadFiles(cert), values.force === true));
  io.out(`skiff: issued ${spiffe} valid until ${cert.notAfter.toISOString()} → ${out}\n`);
  return 0;
}

function inspect(argv: readonly string[], io: Io, nowMs: number): number {
  const { values, positionals } = parse('inspect', argv, {});
  if (values.help === true) return help(io);
  if (positionals.length !== 1) usage('inspect: expected exactly one FILE');
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    usage(`inspect: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const pems = splitPemCertificates(text);
  if (pems.length === 0) usage(`inspect: ${file} holds no PEM certificate`);
  pems.forEach((pem, i) => {
    let c: ReturnType<typeof inspectCertificate>;
    try {
      c = inspectCertificate(pem);
    } catch (err) {
      usage(`inspect: certificate ${i + 1} of ${file} does not parse: ${(err as Error).message}`);
    }
    const days = Math.floor((c.notAfter.getTime() - nowMs) / 86_400_000);
    const left = days < 0 ? `EXPIRED ${-days} days ago` : `${days} days left`;
    const sans = [
      ...c.uris.map((u) => `URI:${u}`),
      ...c.dnsNames.map((d) => `DNS:${d}`),
      ...c.ipAddresses.map((a) => `IP:${a}`),
    ];
    if (pems.length > 1) io.out(`Certificate ${i + 1} of ${pems.length}\n`);
    io.out(
      [
        `Subject:     ${c.subject || '(empty)'}`,
        `Issuer:      ${c.issuer || '(empty)'}`,
        `SANs:        ${sans.length === 0 ? '(none)' : sans.join(', ')}`,
        `Not before:  ${c.notBefore.toISOString()}`,
        `Not after:   ${c.notAfter.toISOString()} (${left})`,
        `CA:          ${c.isCa ? 'yes' : 'no'}`,
        `Serial:      ${c.serialNumber}`,
        `SHA-256:     ${c.fingerprintSha256}`,
        '',
      ].join('\n'),
    );
  });
  return 0;
}

function help(io: Io): number {
  io.out(PKI_HELP);
  return 0;
}

/** `skiff pki init|issue|inspect`: a mesh root CA, workload certificates, and a look at a certificate. */
export async function pkiCommand(argv: readonly string[], io: Io, nowMs = Date.now()): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'init':
      return init(rest, io);
    case 'issue':
      return issue(rest, io);
    case 'inspect':
      return inspect(rest, io, nowMs);
    case '-h':
    case '--help':
    case 'help':
      return help(io);
    case undefined:
      io.err(PKI_HELP);
      return 2;
    default:
      usage(`: unknown sub-command "${sub}" (expected init, issue or inspect)`);
  }
}
