import { PassThrough } from 'node:stream';
import t from 'tap';
import type { RequestMirrorPolicyConfig } from '../../../lib/config/model.js';
import { RequestBodyBuffer } from '../../../lib/router/request-body-buffer.js';
import {
  mirrorSampled,
  sampleMirrors,
  shadowHeaders,
  shadowHost,
} from '../../../lib/router/request-mirror.js';
import type { Random } from '../../../lib/util/random.js';

/** A Random that answers `int(n)` from a script and records every draw. */
function scripted(values: number[]): Random & { draws: number[] } {
  const draws: number[] = [];
  return {
    draws,
    next: () => 0,
    int: (n) => {
      draws.push(n);
      return values.shift() ?? 0;
    },
  };
}

function policy(
  numerator: number,
  denominator: 100 | 10_000 | 1_000_000 = 100,
  cluster = 'm',
): RequestMirrorPolicyConfig {
  return { cluster, fraction: { numerator, denominator }, disableShadowHostSuffixAppend: false };
}

t.test('mirrorSampled: a draw in [0, denominator) below the numerator', async (t) => {
  const r = scripted([24, 25, 9_999, 0]);
  t.ok(mirrorSampled({ numerator: 25, denominator: 100 }, r), '24 < 25');
  t.notOk(mirrorSampled({ numerator: 25, denominator: 100 }, r), '25 is not below 25');
  t.notOk(mirrorSampled({ numerator: 9_999, denominator: 10_000 }, r));
  t.ok(mirrorSampled({ numerator: 1, denominator: 1_000_000 }, r));
  t.same(r.draws, [100, 100, 10_000, 1_000_000]);
});

t.test('mirrorSampled: 0 % and 100 % (or more) draw nothing', async (t) => {
  const r = scripted([]);
  t.notOk(mirrorSampled({ numerator: 0, denominator: 100 }, r));
  t.ok(mirrorSampled({ numerator: 100, denominator: 100 }, r));
  t.ok(mirrorSampled({ numerator: 200, denominator: 100 }, r), 'Envoy clamps above the denominator');
  t.ok(mirrorSampled({ numerator: 1_000_000, denominator: 1_000_000 }, r));
  t.same(r.draws, []);
});

t.test('sampleMirrors keeps the hits in order and is null when none hit', async (t) => {
  const a = policy(100, 100, 'a');
  const b = policy(50, 100, 'b');
  const c = policy(0, 100, 'c');
  t.same(sampleMirrors([a, b, c], scripted([10])), [a, b]);
  t.same(sampleMirrors([a, b, c], scripted([60])), [a]);
  t.equal(sampleMirrors([b, c], scripted([50])), null);
  t.equal(sampleMirrors([c], scripted([])), null);
});

t.test('shadowHost: -shadow goes before the port, as Envoy does', async (t) => {
  const cases: Array<[string, string]> = [
    ['foo', 'foo-shadow'],
    ['foo:8080', 'foo-shadow:8080'],
    ['reviews.default.svc.cluster.local:9080', 'reviews.default.svc.cluster.local-shadow:9080'],
    ['127.0.0.1:10000', '127.0.0.1-shadow:10000'],
    ['[::1]:80', '[::1]-shadow:80'],
    ['[::1]', '[::1]-shadow'],
    ['[fe80::1%25eth0]', '[fe80::1%25eth0]-shadow'],
    ['foo:', 'foo-shadow:'],
  ];
  for (const [host, want] of cases) t.equal(shadowHost(host), want, host);
});

t.test('shadowHeaders copies the list and suffixes every Host line, any case', async (t) => {
  const flat = ['Host', 'a:1', 'x-b', 'host', 'host', 'c', 'HOSTS', 'd'];
  const out = shadowHeaders(flat);
  t.same(out, ['Host', 'a-shadow:1', 'x-b', 'host', 'host', 'c-shadow', 'HOSTS', 'd']);
  t.same(flat, ['Host', 'a:1', 'x-b', 'host', 'host', 'c', 'HOSTS', 'd'], 'the input is untouched');
});

t.test('RequestBodyBuffer.copy: the whole body while it fits, null once abandoned', async (t) => {
  const src = new PassThrough();
  const buf = new RequestBodyBuffer(src, 6);
  buf.attemptBody().resume();
  t.same(buf.copy(), Buffer.alloc(0), 'nothing yet');
  src.write('abc');
  await new Promise((r) => setImmediate(r));
  t.equal(buf.copy()?.toString(), 'abc', 'one chunk');
  src.write('def');
  await new Promise((r) => setImmediate(r));
  t.equal(buf.copy()?.toString(), 'abcdef', 'chunks joined');
  src.end('g');
  await new Promise((r) => setImmediate(r));
  t.equal(buf.copy(), null);
});
