import t from 'tap';
import {
  grpcLocalReplyHeaders,
  httpToGrpcStatus,
  isGrpcContentType,
  percentEncodeGrpcMessage,
} from '../../../lib/http/grpc-local-reply.js';

t.test('gRPC requests are application/grpc or application/grpc+…', async (t) => {
  t.ok(isGrpcContentType('application/grpc'));
  t.ok(isGrpcContentType('application/grpc+proto'));
  t.notOk(isGrpcContentType('application/grpc-web'));
  t.notOk(isGrpcContentType('application/json'));
  t.notOk(isGrpcContentType(undefined));
});

t.test("HTTP → gRPC status follows Envoy's table", async (t) => {
  t.same(
    [400, 401, 403, 404, 429, 502, 503, 504, 500, 418].map(httpToGrpcStatus),
    [13, 16, 7, 12, 14, 14, 14, 14, 2, 2],
  );
});

t.test('grpc-message is percent-encoded', async (t) => {
  t.equal(percentEncodeGrpcMessage('fault filter abort'), 'fault filter abort');
  t.equal(percentEncodeGrpcMessage('50% off\n'), '50%25 off%0A');
  t.equal(percentEncodeGrpcMessage('é'), '%C3%A9');
});

t.test('trailers-only headers', async (t) => {
  t.same(grpcLocalReplyHeaders(14, 'fault filter abort', 'envoy'), [
    'content-length',
    '0',
    'content-type',
    'application/grpc',
    'grpc-status',
    '14',
    'grpc-message',
    'fault filter abort',
    'server',
    'envoy',
  ]);
  t.same(grpcLocalReplyHeaders(12, '', null, ['x-a', 'b']), [
    'content-length',
    '0',
    'content-type',
    'application/grpc',
    'grpc-status',
    '12',
    'x-a',
    'b',
  ]);
});
