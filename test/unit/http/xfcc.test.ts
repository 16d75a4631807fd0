import t from 'tap';
import { currentDetails } from '../../../lib/http/xfcc.js';
import type { TlsConnectionDetails } from '../../../lib/listener/tls-details.js';

const ALL = { subject: true, cert: false, chain: false, dns: true, uri: true };

function details(uris: string[], dns: string[]): TlsConnectionDetails {
  const fake = {
    localUriSan: 'spiffe://cluster.local/ns/shop/sa/cart',
    peerCertSha256: 'ab12',
    peerSubject: 'O=cluster.local',
    peerUriSans: uris,
    peerDnsSans: dns,
    peerCertPem: () => '',
    peerChainPem: () => '',
  };
  return fake as unknown as TlsConnectionDetails;
}

t.test("Istio's details (subject, dns, uri) for an SVID: no empty DNS key", async (t) => {
  t.equal(
    currentDetails(details(['spiffe://cluster.local/ns/shop/sa/web'], []), ALL),
    'By=spiffe://cluster.local/ns/shop/sa/cart;Hash=ab12;Subject="O=cluster.local";URI=spiffe://cluster.local/ns/shop/sa/web',
  );
});

t.test('URI is kept even when empty; every DNS SAN is listed', async (t) => {
  t.equal(
    currentDetails(details([], ['a.example', 'b.example']), ALL),
    'By=spiffe://cluster.local/ns/shop/sa/cart;Hash=ab12;Subject="O=cluster.local";URI=;DNS=a.example;DNS=b.example',
  );
});
