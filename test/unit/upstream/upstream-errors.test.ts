import t from 'tap';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import { classifyUpstreamError, upstreamFailureBody } from '../../../lib/upstream/upstream-errors.js';

function coded(code: string, message = code, name = 'Error'): Error {
  const e = new Error(message) as Error & { code: string };
  e.code = code;
  e.name = name;
  return e;
}

const PREFIX = 'upstream connect error or disconnect/reset before headers. reset reason: ';

t.test('connect errnos are remote connection failures with a transport reason', async (t) => {
  const cases: [string, string][] = [
    ['ECONNREFUSED', 'Connection refused'],
    ['EHOSTUNREACH', 'No route to host'],
    ['ENETUNREACH', 'Network is unreachable'],
    ['EADDRNOTAVAIL', 'Cannot assign requested address'],
    ['ENOTFOUND', 'Name or service not known'],
    ['EAI_AGAIN', 'Temporary failure in name resolution'],
  ];
  for (const [code, text] of cases) {
    const err = coded(code);
    const f = classifyUpstreamError(err, false);
    t.equal(f.reason, 'remote connection failure', code);
    t.equal(f.flag, ResponseFlag.UpstreamConnectionFailure, `${code} → UF`);
    t.equal(f.transportFailureReason, `delayed connect error: ${text}`, code);
    t.equal(f.connectFailure, true, code);
    t.equal(f.afterHeaders, false);
    t.equal(f.error, err, 'the original error is kept');
  }
});

t.test('the ECONNREFUSED body is Envoy’s exact string', async (t) => {
  t.equal(
    upstreamFailureBody(classifyUpstreamError(coded('ECONNREFUSED'), false)),
    'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: delayed connect error: Connection refused',
  );
});

t.test('undici connect timeout is a connection timeout, UF, connect failure', async (t) => {
  const f = classifyUpstreamError(
    coded('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error', 'ConnectTimeoutError'),
    false,
  );
  t.equal(f.reason, 'connection timeout');
  t.equal(f.flag, ResponseFlag.UpstreamConnectionFailure);
  t.equal(f.transportFailureReason, null);
  t.equal(f.connectFailure, true);
  t.equal(upstreamFailureBody(f), `${PREFIX}connection timeout`);
});

t.test('a closed or reset connection is a connection termination, UC', async (t) => {
  for (const code of ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', '']) {
    const err = code === '' ? new Error('something else') : coded(code);
    const f = classifyUpstreamError(err, false);
    t.equal(f.reason, 'connection termination', code || 'no code');
    t.equal(f.flag, ResponseFlag.UpstreamConnectionTermination);
    t.equal(f.transportFailureReason, null);
    t.equal(f.connectFailure, false);
    t.equal(upstreamFailureBody(f), `${PREFIX}connection termination`);
  }
});

t.test('a non-string code is ignored', async (t) => {
  const e = new Error('odd') as Error & { code: number };
  e.code = 111;
  t.equal(classifyUpstreamError(e, false).reason, 'connection termination');
});

t.test('parser and framing errors are protocol errors, UPE', async (t) => {
  const parserNoCode = new Error('Parse Error: Invalid header value char');
  parserNoCode.name = 'HTTPParserError';
  const errs = [
    parserNoCode,
    coded('HPE_INVALID_HEADER_TOKEN', 'Parse Error', 'HTTPParserError'),
    coded('HPE_UNEXPECTED_CONTENT_LENGTH'),
    coded('UND_ERR_HEADERS_OVERFLOW', 'Headers Overflow Error', 'HeadersOverflowError'),
    coded('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'),
  ];
  for (const err of errs) {
    const f = classifyUpstreamError(err, false);
    t.equal(f.reason, 'protocol error', `${err.name} ${(err as { code?: string }).code ?? ''}`);
    t.equal(f.flag, ResponseFlag.UpstreamProtocolError);
    t.equal(f.connectFailure, false);
    t.equal(f.transportFailureReason, null);
    t.equal(upstreamFailureBody(f), `${PREFIX}protocol error`);
  }
});

t.test('afterHeaders is passed through on every branch', async (t) => {
  for (const code of ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'HPE_X', 'ECONNRESET']) {
    t.equal(classifyUpstreamError(coded(code), true).afterHeaders, true, code);
    t.equal(classifyUpstreamError(coded(code), false).afterHeaders, false, code);
  }
});
