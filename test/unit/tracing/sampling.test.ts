import t from 'tap';
import { HeaderMap } from '../../../lib/http/header-map.js';
import { chance, decideReason, markRequestId, reasonOf, TraceReason } from '../../../lib/tracing/sampling.js';
import type { Random } from '../../../lib/util/random.js';

const ALL = { clientSamplingPct: 100, randomSamplingPct: 100, overallSamplingPct: 100 };
const NONE = { clientSamplingPct: 0, randomSamplingPct: 0, overallSamplingPct: 100 };
const RID = '0f8fad5b-d9cb-469f-a165-70867728950e';

function fixed(v: number): Random & { calls: number } {
  const r = {
    calls: 0,
    next: () => {
      r.calls++;
      return v;
    },
    int: (n: number) => Math.floor(v * n),
  };
  return r;
}

const h = (...kv: string[]) => new HeaderMap(kv);

t.test('random sampling percentage', async (t) => {
  const pct = { ...NONE, randomSamplingPct: 1 };
  t.equal(decideReason(pct, h(), RID, fixed(0.005)), TraceReason.Sampled, '0.5 < 1 %');
  t.equal(decideReason(pct, h(), RID, fixed(0.02)), TraceReason.NotTraced, '2 ≥ 1 %');
  const r = fixed(0.5);
  t.equal(decideReason(ALL, h(), RID, r), TraceReason.Sampled);
  t.equal(r.calls, 0, '100 % never draws');
  const r0 = fixed(0);
  t.equal(decideReason(NONE, h(), RID, r0), TraceReason.NotTraced);
  t.equal(r0.calls, 0, '0 % never draws');
});

t.test('forced, client-forced, overall', async (t) => {
  t.equal(decideReason(NONE, h('x-envoy-force-trace', '1'), RID, fixed(0.9)), TraceReason.ServiceForced);
  t.equal(
    decideReason({ ...NONE, clientSamplingPct: 100 }, h('x-client-trace-id', 'abc'), RID, fixed(0.9)),
    TraceReason.ClientForced,
  );
  t.equal(
    decideReason(NONE, h('x-client-trace-id', 'abc'), RID, fixed(0.9)),
    TraceReason.NotTraced,
    'client_sampling 0',
  );
  t.equal(
    decideReason({ ...ALL, overallSamplingPct: 0 }, h('x-envoy-force-trace', '1'), RID, fixed(0.9)),
    TraceReason.NotTraced,
    'overall sampling turns even forced traces off',
  );
});

t.test('the request id carries an earlier hop decision', async (t) => {
  const sampled = markRequestId(RID, TraceReason.Sampled)!;
  t.equal(sampled[14], '9');
  t.equal(reasonOf(sampled), TraceReason.Sampled);
  t.equal(decideReason(NONE, h(), sampled, fixed(0.9)), TraceReason.Sampled);
  t.equal(markRequestId(RID, TraceReason.ServiceForced)![14], 'a');
  t.equal(markRequestId(RID, TraceReason.ClientForced)![14], 'b');
  t.equal(markRequestId(RID, TraceReason.NotTraced), null, 'already says not traced');
  t.equal(markRequestId(sampled, TraceReason.NotTraced)![14], '4');
  t.equal(markRequestId('not-a-uuid', TraceReason.Sampled), null);
  t.equal(
    markRequestId('0f8fad5b-d9cb-169f-a165-70867728950e', TraceReason.Sampled),
    null,
    'v1 UUIDs untouched',
  );
  t.equal(reasonOf('whatever'), TraceReason.NotTraced);
});

t.test('chance', async (t) => {
  t.ok(chance(50, fixed(0.49)));
  t.notOk(chance(50, fixed(0.5)));
  t.ok(chance(150, fixed(0.99)));
  t.notOk(chance(-1, fixed(0)));
});
