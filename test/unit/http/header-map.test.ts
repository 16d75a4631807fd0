import t from 'tap';
import { HeaderMap } from '../../../lib/http/header-map.js';

function map(...pairs: string[]): HeaderMap {
  return new HeaderMap(pairs);
}

t.test('lookups are case-insensitive on the wire name, by lower-case key', async (t) => {
  const h = map('Host', 'a.example', 'X-Multi', 'one', 'Accept', '*/*', 'x-multi', 'two');
  t.equal(h.size, 4);
  t.equal(h.get('host'), 'a.example');
  t.equal(h.get('x-multi'), 'one, two', 'repeated values comma-joined in order');
  t.same(h.all('x-multi'), ['one', 'two']);
  t.same(h.all('missing'), []);
  t.equal(h.get('missing'), undefined);
  t.ok(h.has('accept'));
  t.notOk(h.has('ACCEPT'), 'keys are lower-case by contract');
  t.equal(h.count('x-multi'), 2);
  t.equal(h.count('host'), 1);
  t.equal(h.count('nope'), 0);
  t.equal(h.nameAt(0), 'host');
  t.equal(h.valueAt(0), 'a.example');
  t.equal(h.nameAt(3), 'x-multi');
  t.equal(h.valueAt(3), 'two');
  t.same(
    h.flat(),
    ['Host', 'a.example', 'X-Multi', 'one', 'Accept', '*/*', 'x-multi', 'two'],
    'wire case kept',
  );
});

t.test('set-cookie is joined by get() but kept apart by all()', async (t) => {
  const h = map('Set-Cookie', 'a=1; Path=/', 'Set-Cookie', 'b=2');
  t.equal(h.get('set-cookie'), 'a=1; Path=/, b=2');
  t.same(h.all('set-cookie'), ['a=1; Path=/', 'b=2']);
});

t.test('an empty map', async (t) => {
  const h = map();
  t.equal(h.size, 0);
  t.equal(h.get('a'), undefined);
  t.notOk(h.has('a'));
  h.remove('a');
  t.same(h.flat(), []);
  h.set('a', '1');
  t.same(h.flat(), ['a', '1']);
  t.equal(h.size, 1);
});

t.test('set replaces every line at the position of the first, keeping its wire case', async (t) => {
  const h = map('A', '1', 'X-Thing', 'old1', 'B', '2', 'x-thing', 'old2', 'C', '3');
  h.set('x-thing', 'new');
  t.same(h.flat(), ['A', '1', 'X-Thing', 'new', 'B', '2', 'C', '3']);
  t.equal(h.size, 4);
  t.equal(h.get('x-thing'), 'new');
  t.equal(h.count('x-thing'), 1);
  t.equal(h.nameAt(2), 'b', 'lower names stay aligned with raw after the removal');
  t.equal(h.valueAt(3), '3');
});

t.test('set of a single existing line only changes its value', async (t) => {
  const h = map('A', '1', 'B', '2');
  h.set('a', 'x');
  t.same(h.flat(), ['A', 'x', 'B', '2']);
});

t.test('set of a missing name appends it', async (t) => {
  const h = map('A', '1');
  h.set('b', '2');
  t.same(h.flat(), ['A', '1', 'b', '2']);
  t.equal(h.nameAt(1), 'b');
  t.equal(h.get('b'), '2');
});

t.test('add appends even when the name exists', async (t) => {
  const h = map('Via', '1.1 a');
  h.add('via', '1.1 b');
  t.same(h.flat(), ['Via', '1.1 a', 'via', '1.1 b']);
  t.equal(h.get('via'), '1.1 a, 1.1 b');
  t.equal(h.count('via'), 2);
});

t.test('remove drops every line of a name and keeps the order of the rest', async (t) => {
  const h = map('A', '1', 'X', 'x1', 'B', '2', 'x', 'x2', 'C', '3');
  h.remove('x');
  t.same(h.flat(), ['A', '1', 'B', '2', 'C', '3']);
  t.equal(h.size, 3);
  t.same(
    Array.from({ length: h.size }, (_, j) => h.nameAt(j)),
    ['a', 'b', 'c'],
  );
  h.remove('missing');
  t.same(h.flat(), ['A', '1', 'B', '2', 'C', '3'], 'removing a missing name is a no-op');
  h.remove('a');
  h.remove('b');
  h.remove('c');
  t.equal(h.size, 0);
  t.same(h.flat(), []);
});

t.test('mutations interleave coherently', async (t) => {
  const h = map('Host', 'h', 'Cookie', 'c');
  h.add('x-a', '1');
  h.remove('cookie');
  h.set('x-a', '2');
  h.add('x-b', '3');
  h.set('host', 'h2');
  t.same(h.flat(), ['Host', 'h2', 'x-a', '2', 'x-b', '3']);
  t.same(
    Array.from({ length: h.size }, (_, j) => [h.nameAt(j), h.valueAt(j)]),
    [
      ['host', 'h2'],
      ['x-a', '2'],
      ['x-b', '3'],
    ],
  );
});

t.test('names are matched ignoring case, and only same-length names are compared', async (t) => {
  const raw = ['Content-Type', 'text/plain', 'X-Id', '7', 'X-ID-2', 'x'];
  const h = new HeaderMap(raw);
  t.equal(h.size, 3);
  t.equal(h.get('content-type'), 'text/plain');
  t.equal(h.nameAt(1), 'x-id');
  t.equal(h.rawNameAt(1), 'X-Id');
  t.equal(h.get('x-id'), '7', 'a longer name with the same prefix is not a match');
  h.set('x-id', '8');
  t.same(h.flat(), ['Content-Type', 'text/plain', 'X-Id', '8', 'X-ID-2', 'x']);
});

t.test('values are not trimmed or altered', async (t) => {
  const h = map('X', ' padded ', 'Y', '');
  t.equal(h.get('x'), ' padded ');
  t.equal(h.get('y'), '');
  t.ok(h.has('y'));
});
