import t from 'tap';
import { BAD_REQUEST_BODY, localReplyHeaders } from '../../../lib/http/local-reply.js';

t.test('an empty body: content-length 0, no content-type', async (t) => {
  t.same(localReplyHeaders('', 'envoy'), ['content-length', '0', 'server', 'envoy']);
});

t.test('a body: byte length and text/plain', async (t) => {
  t.same(localReplyHeaders(BAD_REQUEST_BODY, 'skiff'), [
    'content-length',
    '11',
    'content-type',
    'text/plain',
    'server',
    'skiff',
  ]);
  t.same(
    localReplyHeaders('caf\u00e9 \u2603', 'envoy').slice(0, 2),
    ['content-length', '9'],
    'UTF-8 bytes, not chars',
  );
});

t.test('extra pairs come last, in order', async (t) => {
  t.same(localReplyHeaders('no healthy upstream', 'envoy', ['x-envoy-overloaded', 'true', 'x-a', 'b']), [
    'content-length',
    '19',
    'content-type',
    'text/plain',
    'server',
    'envoy',
    'x-envoy-overloaded',
    'true',
    'x-a',
    'b',
  ]);
  t.same(localReplyHeaders('', 'envoy', []), ['content-length', '0', 'server', 'envoy']);
});

t.test('each call returns a fresh array', async (t) => {
  const a = localReplyHeaders('', 'envoy');
  a.push('x', 'y');
  t.same(localReplyHeaders('', 'envoy'), ['content-length', '0', 'server', 'envoy']);
});

t.test('the Bad Request body is Envoy’s', async (t) => {
  t.equal(BAD_REQUEST_BODY, 'Bad Request');
});

t.test('PASS_THROUGH (null server name) adds no server header', async (t) => {
  t.same(localReplyHeaders('', null), ['content-length', '0']);
});
