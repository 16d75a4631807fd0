import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../../lib/cli/main.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'skiff-cli-pki-'));
const mode = (path: string): number => statSync(path).mode & 0o777;

t.test('pki init writes Istio plug-in CA files, key 0600', async (t) => {
  const out = join(tmp(), 'ca');
  const r = await run(['pki', 'init', '--out', out, '--trust-domain', 'example.org']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /root CA for trust domain example.org/);
  for (const f of ['ca-cert.pem', 'root-cert.pem', 'cert-chain.pem']) t.equal(mode(join(out, f)), 0o644, f);
  t.equal(mode(join(out, 'ca-key.pem')), 0o600);
  const c = new X509Certificate(readFileSync(join(out, 'ca-cert.pem')));
  t.ok(c.ca);
  t.equal(c.subject, 'O=example.org\nCN=Skiff root CA');
  t.equal(readFileSync(join(out, 'root-cert.pem'), 'utf8'), readFileSync(join(out, 'ca-cert.pem'), 'utf8'));

  const again = await run(['pki', 'init', '--out', out]);
  t.equal(again.code, 2);
  t.match(again.err, /already holds ca-cert.pem.*--force/);
  const forced = await run(['pki', 'init', '--out', out, '--force']);
  t.equal(forced.code, 0, forced.err);
  t.not(readFileSync(join(out, 'ca-cert.pem'), 'utf8'), c.toString(), 'replaced');
});

t.test('pki issue writes cert-chain.pem, key.pem (0600), root-cert.pem; inspect prints them', async (t) => {
  const ca = join(tmp(), 'ca');
  t.equal((await run(['pki', 'init', '--out', ca])).code, 0);
  const out = join(tmp(), 'w');
  const id = 'spiffe://cluster.local/ns/shop/sa/cart';
  const r = await run(['pki', 'issue', '--ca', ca, '--spiffe', id, '--ttl', '2h', '--out', out]);
  t.equal(r.code, 0, r.err);
  t.equal(mode(join(out, 'key.pem')), 0o600);
  const leaf = new X509Certificate(readFileSync(join(out, 'cert-chain.pem')));
  t.equal(leaf.subjectAltName, `URI:${id}`);
  t.ok(leaf.checkIssued(new X509Certificate(readFileSync(join(out, 'root-cert.pem')))));
  const hours = (Date.parse(leaf.validTo) - Date.now()) / 3_600_000;
  t.ok(hours > 1.9 && hours <= 2, `2h ttl (${hours})`);

  const shown = await run(['pki', 'inspect', join(out, 'cert-chain.pem')]);
  t.equal(shown.code, 0, shown.err);
  t.match(shown.out, /Certificate 1 of 2/);
  t.match(shown.out, /Subject:\s+O=cluster.local\n/);
  t.match(shown.out, /Issuer:\s+O=cluster.local, CN=Skiff root CA/);
  t.match(shown.out, `SANs:        URI:${id}`);
  t.match(shown.out, /Not after:\s+\S+ \(0 days left\)/);
  t.match(shown.out, /\(3649 days left\)/);
  t.match(shown.out, /CA:\s+yes/);
});

t.test('pki usage errors exit 2 with a clear message', async (t) => {
  const ca = join(tmp(), 'ca');
  t.equal((await run(['pki', 'init', '--out', ca])).code, 0);
  const out = join(tmp(), 'w');
  const id = 'spiffe://cluster.local/ns/a/sa/b';
  const garbage = join(tmp(), 'garbage.pem');
  writeFileSync(garbage, 'not a certificate');
  const cases: Array<[string[], RegExp]> = [
    [['pki', 'bogus'], /unknown sub-command "bogus"/],
    [['pki', 'init'], /--out is required/],
    [['pki', 'init', '--out', out, '--trust-domain', 'Bad TD'], /--trust-domain: .*lower-case/],
    [['pki', 'init', '--out', out, '--ttl-days', 'x'], /--ttl-days/],
    [
      ['pki', 'init', '--out', out, '--key-type', 'dsa'],
      /init: --key-type: unknown key type "dsa" \(supported: rsa, ec\)/,
    ],
    [
      ['pki', 'issue', '--ca', ca, '--spiffe', id, '--out', out, '--key-type', 'EC'],
      /issue: --key-type: unknown key type "EC"/,
    ],
    [['pki', 'init', '--out', out, '--nope'], /Unknown option '--nope'/],
    [['pki', 'issue', '--spiffe', id, '--out', out], /--ca is required/],
    [['pki', 'issue', '--ca', ca, '--out', out], /--spiffe is required/],
    [['pki', 'issue', '--ca', ca, '--spiffe', id], /--out is required/],
    [
      ['pki', 'issue', '--ca', ca, '--spiffe', 'spiffe://cluster.local/web', '--out', out],
      /--spiffe: .*workload identity/,
    ],
    [['pki', 'issue', '--ca', ca, '--spiffe', 'http://x/ns/a/sa/b', '--out', out], /must start with spiffe/],
    [['pki', 'issue', '--ca', ca, '--spiffe', id, '--ttl', '1y', '--out', out], /--ttl: invalid ttl "1y"/],
    [['pki', 'issue', '--ca', ca, '--spiffe', id, '--ttl', '0h', '--out', out], /longer than zero/],
    [['pki', 'issue', '--ca', ca, '--spiffe', id, '--ttl', '4000d', '--out', out], /outlive its CA/],
    [['pki', 'issue', '--ca', join(ca, 'missing'), '--spiffe', id, '--out', out], /does not exist/],
    [['pki', 'issue', '--ca', tmp(), '--spiffe', id, '--out', out], /lacks ca-cert.pem and ca-key.pem/],
    [
      ['pki', 'issue', '--ca', ca, '--spiffe', id, '--out', ca],
      /already holds cert-chain.pem, root-cert.pem/,
    ],
    [['pki', 'inspect'], /expected exactly one FILE/],
    [['pki', 'inspect', join(ca, 'nope.pem')], /cannot read .*ENOENT/],
    [['pki', 'inspect', garbage], /holds no PEM certificate/],
  ];
  for (const [argv, reason] of cases) {
    const r = await run(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err, reason, argv.join(' '));
  }
  const none = await run(['pki']);
  t.equal(none.code, 2);
  t.match(none.err, /Usage: skiff pki/);
});

t.test('pki help and main help mention pki', async (t) => {
  const h = await run(['pki', '--help']);
  t.equal(h.code, 0);
  t.match(h.out, /skiff pki init --out DIR/);
  t.match(h.out, /--key-type T\s+key of the new certificate: rsa .* or ec \(ECDSA P-256/s);
  t.match((await run(['help'])).out, /pki\s+mesh root CA/);
  t.match((await run(['pki', 'issue', '--help'])).out, /skiff pki issue/);
});
