import t from 'tap';
import { certificateRequestFrom, MIN_CERT_TTL_MS } from '../../../lib/cli/cert-args.js';

t.test('--cert-ttl has a floor of a few seconds', async (t) => {
  t.same(certificateRequestFrom({ 'ca-dir': '/ca', 'cert-ttl': '3s' }), {
    kind: 'ca',
    dir: '/ca',
    ttlMs: MIN_CERT_TTL_MS,
  });
  t.throws(
    () => certificateRequestFrom({ 'ca-dir': '/ca', 'cert-ttl': '2999ms' }),
    /--cert-ttl: "2999ms" is too short, the minimum is 3s/,
  );
  t.throws(() => certificateRequestFrom({ 'ca-dir': '/ca', 'cert-ttl': '1s' }), /too short/);
  t.same(certificateRequestFrom({ 'ca-dir': '/ca' }), { kind: 'ca', dir: '/ca', ttlMs: 86_400_000 });
});
