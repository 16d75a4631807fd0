import t from 'tap';
import { parseDuration } from '../../../lib/config/duration.js';

t.test('accepts protobuf-JSON durations', async (t) => {
  t.equal(parseDuration('15s'), 15_000);
  t.equal(parseDuration('0.25s'), 250);
  t.equal(parseDuration('1.000340s'), 1000.34);
  t.equal(parseDuration('0s'), 0);
  t.equal(parseDuration('0.000000001s'), 0.000001);
  t.equal(parseDuration({ seconds: 2, nanos: 500_000_000 }), 2500);
  t.equal(parseDuration({ seconds: '3' }), 3000);
});

t.test('rejects other spellings with a reason', async (t) => {
  t.match(parseDuration('15'), /missing the "s" suffix/);
  t.match(parseDuration('15ms'), /seconds with an "s" suffix.*not "ms"/);
  t.match(parseDuration('-1s'), /must not be negative/);
  t.match(parseDuration({ seconds: -1 }), /must not be negative/);
  t.match(parseDuration(15), /expected a string of seconds such as "15s"/);
  t.match(parseDuration('1.0000000001s'), /at most 9 fractional digits/);
  t.match(parseDuration({ seconds: 1, nanos: 1e9 }), /nanos must be at most/);
  t.match(parseDuration({ minutes: 1 }), /unknown field "minutes"/);
  t.match(parseDuration(true), /invalid duration/);
});
