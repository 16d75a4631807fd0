import t from 'tap';
import { LocalReplyRing } from '../../../lib/http/local-reply-ring.js';

t.test('keeps the last `capacity` replies, newest first', async (t) => {
  const ring = new LocalReplyRing(3);
  t.same(ring.recent(), []);
  for (let i = 1; i <= 5; i++)
    ring.record(i, 500 + i, i, `d${i}`, 'GET', 'h', `/p${i}`, i % 2 === 0 ? 'c' : '');
  const r = ring.recent();
  t.same(
    r.map((e) => [e.timeMs, e.status, e.path, e.cluster]),
    [
      [5, 505, '/p5', ''],
      [4, 504, '/p4', 'c'],
      [3, 503, '/p3', ''],
    ],
  );
  ring.record(6, 506, 0, 'd6', 'PUT', 'h', '/p6', '');
  t.equal(r[0]!.path, '/p5', 'what recent() returned is a copy, not the slot');
  t.equal(ring.recent()[0]!.method, 'PUT');
});
