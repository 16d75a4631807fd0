import t from 'tap';
import { HeaderMap } from '../../../lib/http/header-map.js';
import { responseHeadersFromRaw, stripRequestHopByHop } from '../../../lib/http/hop-by-hop.js';

function strip(...pairs: string[]): string[] {
  const h = new HeaderMap(pairs);
  stripRequestHopByHop(h);
  return h.flat();
}

function bufs(...pairs: string[]): Buffer[] {
  return pairs.map((s) => Buffer.from(s, 'latin1'));
}

t.test('no hop-by-hop header leaves the request untouched', async (t) => {
  const raw = ['Host', 'a', 'Accept', '*/*', 'X-Te', 'x', 'Content-Length', '3'];
  t.same(strip(...raw), raw);
});

t.test('the fixed list is removed, whatever the wire case', async (t) => {
  t.same(
    strip(
      'Host',
      'a',
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
      'Proxy-Connection',
      'keep-alive',
      'Transfer-Encoding',
      'chunked',
      'Upgrade',
      'websocket',
      'TE',
      'gzip',
      'HTTP2-Settings',
      'AAMAAABkAAQAAP__',
      'Expect',
      '100-continue',
      'X-Keep',
      'yes',
    ),
    ['Host', 'a', 'X-Keep', 'yes'],
  );
});

t.test('names listed in Connection are removed too, case-insensitively', async (t) => {
  t.same(
    strip('Host', 'a', 'Connection', 'X-Foo, close , ,x-bar', 'x-foo', '1', 'X-BAR', '2', 'X-Baz', '3'),
    ['Host', 'a', 'X-Baz', '3'],
  );
});

t.test('a Connection-listed name alone makes the request dirty', async (t) => {
  // `connection` itself is hop-by-hop, so this also covers the repeated-Connection case.
  t.same(strip('Connection', 'x-a', 'Connection', 'x-b', 'X-A', '1', 'X-B', '2', 'Y', '3'), ['Y', '3']);
});

t.test('host and content-length can never be removed via Connection', async (t) => {
  t.same(
    strip('Host', 'a', 'Content-Length', '5', 'Connection', 'Host, Content-Length, x-gone', 'X-Gone', '1'),
    ['Host', 'a', 'Content-Length', '5'],
  );
});

t.test('te: trailers is kept as the only TE value', async (t) => {
  t.same(strip('Host', 'a', 'TE', 'trailers'), ['Host', 'a', 'te', 'trailers']);
  t.same(strip('TE', 'gzip, Trailers, deflate'), ['te', 'trailers']);
  t.same(strip('TE', 'deflate', 'TE', 'trailers'), ['te', 'trailers'], 'across repeated TE lines');
  t.same(strip('TE', 'gzip', 'X', '1'), ['X', '1'], 'TE without trailers is dropped');
  t.same(strip('TE', 'trailersx', 'X', '1'), ['X', '1'], 'only the exact token counts');
  t.same(strip('TE', 'trailers', 'Connection', 'TE'), ['te', 'trailers'], 'even when Connection lists te');
});

t.test('responseHeadersFromRaw keeps order and case and drops hop-by-hop headers', async (t) => {
  const h = responseHeadersFromRaw(
    bufs(
      'Content-Type',
      'text/plain',
      'Connection',
      'keep-alive, X-Private',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'X-Private',
      'secret',
      'Set-Cookie',
      'a=1',
      'set-cookie',
      'b=2',
      'Upgrade',
      'h2c',
    ),
  );
  t.same(h.flat(), ['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2']);
  t.equal(h.size, 3);
  t.equal(h.nameAt(1), 'set-cookie');
  t.same(h.all('set-cookie'), ['a=1', 'b=2']);
});

t.test('responseHeadersFromRaw: Connection cannot remove content-length', async (t) => {
  const h = responseHeadersFromRaw(bufs('Content-Length', '2', 'Connection', 'content-length, close'));
  t.same(h.flat(), ['Content-Length', '2']);
});

t.test('responseHeadersFromRaw decodes bytes as latin1', async (t) => {
  const raw = [Buffer.from('X-Name'), Buffer.from([0x63, 0x61, 0x66, 0xe9])];
  const h = responseHeadersFromRaw(raw);
  t.equal(h.get('x-name'), 'caf\u00e9');
});

t.test('responseHeadersFromRaw of nothing', async (t) => {
  const h = responseHeadersFromRaw([]);
  t.equal(h.size, 0);
  t.same(h.flat(), []);
});
