import t from 'tap';
import { HeaderMap } from '../../../lib/http/header-map.js';
import {
  extractContext,
  injectContext,
  parseB3Single,
  parseTraceparent,
  type TraceContext,
} from '../../../lib/tracing/propagation.js';

const TID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TID64 = 'a3ce929d0e0e4736';
const SID = '00f067aa0ba902b7';
const PAR = '0020000000000001';

function ctx(): TraceContext {
  return { traceId: '', parentSpanId: '', incomingSampled: -1, traceState: '', b3Single: false };
}

function extract(headers: Record<string, string>): TraceContext {
  const c = ctx();
  extractContext(new HeaderMap(Object.entries(headers).flat()), c);
  return c;
}

t.test('W3C traceparent and tracestate', async (t) => {
  t.match(extract({ traceparent: `00-${TID}-${SID}-01`, tracestate: 'k=v' }), {
    traceId: TID,
    parentSpanId: SID,
    incomingSampled: 1,
    traceState: 'k=v',
  });
  t.match(extract({ traceparent: `00-${TID}-${SID}-00` }), { incomingSampled: 0 });
  // A later version may append fields after a dash.
  t.match(extract({ traceparent: `01-${TID}-${SID}-03-extra` }), { traceId: TID, incomingSampled: 1 });
});

t.test('malformed traceparent values are ignored (a new trace starts)', async (t) => {
  for (const bad of [
    `00-${TID}-${SID}-01-x`,
    `ff-${TID}-${SID}-01`,
    `00-${'0'.repeat(32)}-${SID}-01`,
    `00-${TID}-${'0'.repeat(16)}-01`,
    `00-${TID.toUpperCase()}-${SID}-01`,
    `00-${TID}-${SID}-1`,
    `00_${TID}-${SID}-01`,
    'garbage',
  ]) {
    const c = ctx();
    t.notOk(parseTraceparent(bad, c), bad);
    t.equal(c.traceId, '');
  }
  // tracestate without a valid traceparent is not kept.
  t.match(extract({ traceparent: 'bad', tracestate: 'k=v' }), { traceId: '', traceState: '' });
});

t.test('B3 single header', async (t) => {
  t.match(extract({ b3: `${TID}-${SID}-1-${PAR}` }), {
    traceId: TID,
    parentSpanId: SID,
    incomingSampled: 1,
    b3Single: true,
  });
  t.match(extract({ b3: `${TID64}-${SID}` }), { traceId: TID64, incomingSampled: -1 });
  t.match(extract({ b3: `${TID}-${SID}-d` }), { incomingSampled: 1 });
  t.match(extract({ b3: '0' }), { traceId: '', incomingSampled: 0, b3Single: true });
  for (const bad of [
    `${TID}-${SID}-x`,
    `${TID}`,
    `${TID}-${SID}-1-zz`,
    `${TID}-abc`,
    '2',
    `${TID}-${SID}-1-${PAR}-9`,
  ]) {
    const c = ctx();
    t.notOk(parseB3Single(bad, c), bad);
    t.equal(c.traceId, '');
  }
});

t.test('B3 multi headers', async (t) => {
  t.match(extract({ 'x-b3-traceid': TID, 'x-b3-spanid': SID, 'x-b3-sampled': '1' }), {
    traceId: TID,
    parentSpanId: SID,
    incomingSampled: 1,
  });
  t.match(extract({ 'x-b3-traceid': TID64, 'x-b3-spanid': SID, 'x-b3-sampled': 'false' }), {
    traceId: TID64,
    incomingSampled: 0,
  });
  t.match(extract({ 'x-b3-traceid': TID, 'x-b3-spanid': SID, 'x-b3-flags': '1', 'x-b3-sampled': '0' }), {
    incomingSampled: 1,
  });
  t.match(extract({ 'x-b3-sampled': '0' }), { traceId: '', incomingSampled: 0 }, 'decision only');
  t.match(extract({ 'x-b3-traceid': 'xyz', 'x-b3-spanid': SID, 'x-b3-sampled': '1' }), {
    traceId: '',
    incomingSampled: -1,
  });
  t.match(extract({ 'x-b3-traceid': TID }), { traceId: '' }, 'a trace id without span id is ignored');
});

t.test('traceparent wins over B3; a broken traceparent falls back to B3', async (t) => {
  t.match(extract({ traceparent: `00-${TID}-${SID}-01`, 'x-b3-traceid': TID64, 'x-b3-spanid': PAR }), {
    traceId: TID,
  });
  t.match(extract({ traceparent: 'bad', 'x-b3-traceid': TID64, 'x-b3-spanid': PAR }), {
    traceId: TID64,
    parentSpanId: PAR,
  });
});

t.test('injection writes W3C and B3 (single only when it came in)', async (t) => {
  const h = new HeaderMap(['X-B3-TraceId', 'old', 'x-b3-parentspanid', 'old', 'tracestate', 'old']);
  const c = ctx();
  injectContext(h, TID64, SID, '', false, c);
  t.equal(
    h.get('traceparent'),
    `00-0000000000000000${TID64}-${SID}-00`,
    '64-bit trace ids are widened for W3C',
  );
  t.equal(h.get('x-b3-traceid'), TID64);
  t.equal(h.get('x-b3-spanid'), SID);
  t.equal(h.get('x-b3-sampled'), '0');
  t.notOk(h.has('x-b3-parentspanid'), 'root: no parent header');
  t.notOk(h.has('tracestate'));
  t.notOk(h.has('b3'));
  const c2 = { ...ctx(), b3Single: true, traceState: 'a=1' };
  injectContext(h, TID, SID, PAR, true, c2);
  t.equal(h.get('b3'), `${TID}-${SID}-1-${PAR}`);
  t.equal(h.get('x-b3-parentspanid'), PAR);
  t.equal(h.get('tracestate'), 'a=1');
  t.equal(h.all('x-b3-traceid').length, 1, 'replaced, not appended');
});
