import t from 'tap';
import { parseDuration } from '../../../../lib/config/duration.js';
import {
  duration,
  fields,
  formatDuration,
  fractionalPercent,
  isWhole,
  undivide,
  unless,
} from '../../../../lib/config/envoy/encode/format.js';

t.test('durations are protobuf-JSON seconds strings', async (t) => {
  t.equal(formatDuration(0), '0s');
  t.equal(formatDuration(1500), '1.5s');
  t.equal(formatDuration(15_000), '15s');
  t.equal(formatDuration(250), '0.25s');
  t.equal(formatDuration(1000.34), '1.00034s');
  t.equal(formatDuration(0.000001), '0.000000001s');
  t.equal(formatDuration(3_600_000), '3600s');
  t.throws(() => formatDuration(-1), RangeError);
  t.throws(() => formatDuration(Number.NaN), RangeError);
});

t.test('parseDuration(formatDuration(ms)) gives back the same number', async (t) => {
  // Every value the decoder can produce is seconds * 1000 + nanos / 1e6; walk a spread of them.
  let bad = 0;
  let seed = 12345;
  const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
  for (let i = 0; i < 5000; i++) {
    const seconds = i < 2500 ? next() % 100 : next() % 1_000_000;
    const nanos = next() % 1_000_000_000;
    const ms = seconds * 1000 + nanos / 1e6;
    if (parseDuration(formatDuration(ms)) !== ms) bad++;
  }
  t.equal(bad, 0);
  for (const ms of [0.5, 999.999999, 1e-6, 123_456_789.123456]) {
    t.equal(parseDuration(formatDuration(ms)), ms, String(ms));
  }
});

t.test('duration() leaves out null and the default', async (t) => {
  t.equal(duration(null), undefined);
  t.equal(duration(5000, 5000), undefined);
  t.equal(duration(0, 5000), '0s');
});

t.test('FractionalPercent names its denominator', async (t) => {
  t.same(fractionalPercent({ numerator: 5, denominator: 100 }), { numerator: 5, denominator: 'HUNDRED' });
  t.same(fractionalPercent({ numerator: 5, denominator: 10_000 }), {
    numerator: 5,
    denominator: 'TEN_THOUSAND',
  });
  t.same(fractionalPercent({ numerator: 0, denominator: 1_000_000 }), {
    numerator: 0,
    denominator: 'MILLION',
  });
  t.ok(isWhole({ numerator: 100, denominator: 100 }));
  t.notOk(isWhole({ numerator: 10_000, denominator: 10_000 }), 'only the literal default counts');
});

t.test('undivide finds the written percent without float noise', async (t) => {
  t.equal(undivide(0.07, 100), 7);
  t.equal(undivide(0.1, 100), 10);
  t.equal(undivide(0.125, 100), 12.5);
  // The decoder produces written / 100; any written value must come back to the same fraction.
  for (const written of [7, 29, 57, 33.333333333333336, 0.01, 99.99, 12.345678901234567]) {
    const v = written / 100;
    t.equal(undivide(v, 100) / 100, v, String(written));
  }
});

t.test('fields drops undefined and keeps order; unless drops defaults', async (t) => {
  t.same(Object.keys(fields({ b: 1, a: undefined, c: false, d: null })), ['b', 'c', 'd']);
  t.equal(unless('AUTO', 'AUTO'), undefined);
  t.equal(unless('V4_ONLY', 'AUTO'), 'V4_ONLY');
});
