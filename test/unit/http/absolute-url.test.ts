import t from 'tap';
import {
  type AbsoluteFormStream,
  applyAbsoluteForm,
  parseAbsoluteTarget,
} from '../../../lib/http/absolute-url.js';
import { HeaderMap } from '../../../lib/http/header-map.js';

t.test('path, authority and scheme come from the URL', async (t) => {
  t.same(parseAbsoluteTarget('http://order-service:8080/x?y=1'), {
    scheme: 'http',
    authority: 'order-service:8080',
    path: '/x?y=1',
  });
  t.same(parseAbsoluteTarget('https://a.example/p'), { scheme: 'https', authority: 'a.example', path: '/p' });
  t.same(
    parseAbsoluteTarget('HTTP://Order-Service'),
    {
      scheme: 'http',
      authority: 'order-service',
      path: '/',
    },
    'scheme and host lower-cased; an empty path is /',
  );
  t.equal(parseAbsoluteTarget('http://a?q=1')?.path, '/?q=1', 'a query without a path');
  t.equal(parseAbsoluteTarget('http://a/p#frag')?.path, '/p', 'the fragment is dropped');
  t.equal(parseAbsoluteTarget('http://a:80/')?.authority, 'a', 'the default port is dropped, as GURL does');
  t.equal(parseAbsoluteTarget('https://a:443/')?.authority, 'a');
  t.equal(parseAbsoluteTarget('http://a:443/')?.authority, 'a:443');
  t.equal(parseAbsoluteTarget('http://[::1]:9000/x')?.authority, '[::1]:9000');
  t.equal(parseAbsoluteTarget('http://user:pw@a/x')?.authority, 'a', 'userinfo is not part of the authority');
});

t.test('invalid URLs and other schemes are refused', async (t) => {
  for (const bad of [
    'ftp://a/',
    'ws://a/',
    'http://',
    'http://a:99999/',
    'http://a:x/',
    '*',
    'a/b',
    'mailto:x@y',
  ]) {
    t.equal(parseAbsoluteTarget(bad), null, bad);
  }
});

t.test('applyAbsoluteForm rewrites the stream and overwrites Host', async (t) => {
  const headers = new HeaderMap(['Host', 'wrong', 'Accept', '*/*']);
  const s: AbsoluteFormStream = {
    path: 'https://b.example:8443/x?y',
    authority: 'wrong',
    scheme: 'http',
    requestHeaders: headers,
  };
  t.equal(applyAbsoluteForm(s), true);
  t.same(
    { path: s.path, authority: s.authority, scheme: s.scheme },
    { path: '/x?y', authority: 'b.example:8443', scheme: 'https' },
  );
  t.same(headers.flat(), ['Host', 'b.example:8443', 'Accept', '*/*']);
  const bad: AbsoluteFormStream = {
    path: 'gopher://x/',
    authority: 'h',
    scheme: 'http',
    requestHeaders: headers,
  };
  t.equal(applyAbsoluteForm(bad), false);
  t.equal(bad.path, 'gopher://x/', 'left as it was');
});
