import type { IncomingMessage } from 'node:http';
import t from 'tap';
import { loadConfigText } from '../../../lib/config/load.js';
import type { HttpConnectionManagerConfig } from '../../../lib/config/model.js';
import { HeaderMap } from '../../../lib/http/header-map.js';
import { checkRequest, dropUnderscoreHeaders } from '../../../lib/http/request-checks.js';
import { minimal } from '../config/fixtures.js';

function defaultHcm(): HttpConnectionManagerConfig {
  const r = loadConfigText(minimal(), 'request-checks.yaml');
  if (!r.ok) throw new Error(`fixture config invalid: ${JSON.stringify(r.issues)}`);
  return r.bootstrap.listeners[0]!.filterChains[0]!.hcm!;
}

const HCM = defaultHcm();

function cfg(over: Partial<HttpConnectionManagerConfig> = {}): HttpConnectionManagerConfig {
  return { ...HCM, ...over };
}

interface FakeReq {
  method?: string;
  url?: string;
  major?: number;
  minor?: number;
}

/** Only the fields checkRequest reads; the rest of IncomingMessage is irrelevant here. */
function req(o: FakeReq = {}): IncomingMessage {
  return {
    method: o.method ?? 'GET',
    url: o.url ?? '/',
    httpVersionMajor: o.major ?? 1,
    httpVersionMinor: o.minor ?? 1,
  } as unknown as IncomingMessage;
}

function hm(...pairs: string[]): HeaderMap {
  return new HeaderMap(pairs);
}

t.test('defaults from the loader are the ones these checks assume', async (t) => {
  t.equal(HCM.maxHeadersCount, 100);
  t.equal(HCM.allowAbsoluteUrl, false);
  t.equal(HCM.headersWithUnderscoresAction, 'ALLOW');
});

t.test('an ordinary request passes', async (t) => {
  t.equal(checkRequest(req(), hm('Host', 'a', 'Accept', '*/*'), cfg()), null);
  t.equal(checkRequest(req({ minor: 0 }), hm('Host', 'a'), cfg()), null, 'HTTP/1.0 without TE');
  t.equal(checkRequest(req(), hm(), cfg()), null, 'no Host is not this check’s business');
});

t.test('a non-1.x version is 505', async (t) => {
  t.same(checkRequest(req({ major: 2, minor: 0 }), hm('Host', 'a'), cfg()), {
    status: 505,
    details: 'http1.codec_error',
  });
  t.same(checkRequest(req({ major: 0, minor: 9 }), hm(), cfg()), {
    status: 505,
    details: 'http1.codec_error',
  });
});

t.test('more than max_headers_count lines is 431; exactly the limit passes', async (t) => {
  const pairs: string[] = [];
  for (let i = 0; i < 5; i++) pairs.push(`X-H${i}`, String(i));
  t.equal(checkRequest(req(), hm(...pairs), cfg({ maxHeadersCount: 5 })), null);
  t.same(checkRequest(req(), hm(...pairs, 'X-One-More', '1'), cfg({ maxHeadersCount: 5 })), {
    status: 431,
    details: 'http1.too_many_headers',
  });
});

t.test('a duplicate Host is 400, in any case', async (t) => {
  t.same(checkRequest(req(), hm('Host', 'a', 'HOST', 'b'), cfg()), {
    status: 400,
    details: 'http1.duplicate_host',
  });
  t.same(checkRequest(req(), hm('host', 'a', 'host', 'a'), cfg()), {
    status: 400,
    details: 'http1.duplicate_host',
  });
});

t.test('Transfer-Encoding on HTTP/1.0 is 400; on HTTP/1.1 it passes', async (t) => {
  t.same(checkRequest(req({ minor: 0, method: 'POST' }), hm('Transfer-Encoding', 'chunked'), cfg()), {
    status: 400,
    details: 'http1.transfer_encoding_not_allowed',
  });
  t.equal(checkRequest(req({ method: 'POST' }), hm('Transfer-Encoding', 'chunked'), cfg()), null);
});

t.test('absolute-form targets are rejected unless allow_absolute_url', async (t) => {
  const abs = req({ url: 'http://a.example/x' });
  t.same(checkRequest(abs, hm('Host', 'a.example'), cfg()), {
    status: 400,
    details: 'http1.absolute_path_rejected',
  });
  t.equal(checkRequest(abs, hm('Host', 'a.example'), cfg({ allowAbsoluteUrl: true })), null);
  t.same(
    checkRequest(req({ url: '' }), hm(), cfg()),
    { status: 400, details: 'http1.absolute_path_rejected' },
    'an empty target is not origin-form',
  );
});

t.test('asterisk-form is allowed for OPTIONS only', async (t) => {
  t.equal(checkRequest(req({ method: 'OPTIONS', url: '*' }), hm('Host', 'a'), cfg()), null);
  t.same(checkRequest(req({ method: 'GET', url: '*' }), hm('Host', 'a'), cfg()), {
    status: 400,
    details: 'http1.absolute_path_rejected',
  });
  t.same(checkRequest(req({ method: 'OPTIONS', url: '*x' }), hm('Host', 'a'), cfg()), {
    status: 400,
    details: 'http1.absolute_path_rejected',
  });
});

t.test('underscores in names: rejected only under REJECT_REQUEST', async (t) => {
  const h = (): HeaderMap => hm('Host', 'a', 'X_Custom', '1');
  t.equal(checkRequest(req(), h(), cfg({ headersWithUnderscoresAction: 'ALLOW' })), null);
  t.equal(checkRequest(req(), h(), cfg({ headersWithUnderscoresAction: 'DROP_HEADER' })), null);
  t.same(checkRequest(req(), h(), cfg({ headersWithUnderscoresAction: 'REJECT_REQUEST' })), {
    status: 400,
    details: 'http1.unexpected_underscore',
  });
  t.equal(
    checkRequest(
      req(),
      hm('Host', 'a', 'X-Val', 'has_underscore'),
      cfg({ headersWithUnderscoresAction: 'REJECT_REQUEST' }),
    ),
    null,
    'underscores in values are fine',
  );
});

t.test('checks run in a fixed order: version before everything else', async (t) => {
  const bad = req({ major: 2, minor: 0, url: 'http://x/' });
  t.equal(checkRequest(bad, hm('Host', 'a', 'Host', 'b'), cfg())!.status, 505);
  t.equal(
    checkRequest(req({ url: 'http://x/' }), hm('Host', 'a', 'Host', 'b'), cfg())!.details,
    'http1.duplicate_host',
  );
});

t.test(
  'dropUnderscoreHeaders removes every line with an underscore and keeps the rest in order',
  async (t) => {
    const h = hm('Host', 'a', 'X_One', '1', 'Accept', '*/*', 'x_one', '2', 'Under_Score', '3', 'X-Ok', 'v_v');
    dropUnderscoreHeaders(h);
    t.same(h.flat(), ['Host', 'a', 'Accept', '*/*', 'X-Ok', 'v_v']);
    const clean = hm('Host', 'a');
    dropUnderscoreHeaders(clean);
    t.same(clean.flat(), ['Host', 'a']);
  },
);
