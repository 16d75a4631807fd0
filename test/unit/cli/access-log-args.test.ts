import t from 'tap';
import { ISTIO_JSON_FORMAT, ISTIO_TEXT_FORMAT } from '../../../lib/accesslog/istio-formats.js';
import { accessLogFrom } from '../../../lib/cli/access-log-args.js';
import { sidecarOptionsFrom } from '../../../lib/cli/sidecar-args.js';

t.test('off by default, as in Istio', async (t) => {
  t.equal(accessLogFrom({}), null);
  t.equal(sidecarOptionsFrom({}, {}).accessLog, null);
});

t.test('--access-log FILE|- with text (default), json or a custom format', async (t) => {
  t.same(accessLogFrom({ 'access-log': '-' }), {
    name: 'envoy.access_loggers.file',
    path: '/dev/stdout',
    textFormat: ISTIO_TEXT_FORMAT,
    jsonFormat: null,
  });
  t.same(accessLogFrom({ 'access-log': '/var/log/a.log', 'access-log-format': 'json' }), {
    name: 'envoy.access_loggers.file',
    path: '/var/log/a.log',
    textFormat: null,
    jsonFormat: ISTIO_JSON_FORMAT,
  });
  t.equal(accessLogFrom({ 'access-log': 'a', 'access-log-format': 'text' })?.textFormat, ISTIO_TEXT_FORMAT);
  t.equal(
    accessLogFrom({ 'access-log': 'a', 'access-log-format': '%RESPONSE_CODE% %UPSTREAM_HOST%' })?.textFormat,
    '%RESPONSE_CODE% %UPSTREAM_HOST%\n',
    'a newline is added, so lines do not run together',
  );
  t.same(
    accessLogFrom({ 'access-log': 'a', 'access-log-format': '{"code":"%RESPONSE_CODE%"}' })?.jsonFormat,
    { code: '%RESPONSE_CODE%' },
    "a JSON object is a json_format (Istio's accessLogEncoding JSON spelling)",
  );
  t.equal(
    sidecarOptionsFrom({ 'access-log': '-', 'access-log-format': 'json' }, {}).accessLog?.jsonFormat,
    ISTIO_JSON_FORMAT,
  );
});

t.test('bad flags are usage errors naming the flag', async (t) => {
  const bad = (values: Record<string, string>, message: RegExp) =>
    t.throws(() => accessLogFrom(values), { code: 'SKIFF_ERR_USAGE', message }, String(message));
  bad(
    { 'access-log': 'a', 'access-log-format': '%NOPE%' },
    /^--access-log-format: unknown command operator %NOPE%$/,
  );
  bad({ 'access-log': 'a', 'access-log-format': '%REQ(X' }, /^--access-log-format: unterminated %REQ\(/);
  bad(
    { 'access-log': 'a', 'access-log-format': '{"a": "%NOPE%"}' },
    /^--access-log-format: a: unknown command operator %NOPE%/,
  );
  bad({ 'access-log': 'a', 'access-log-format': '{"a": ' }, /^--access-log-format: not a valid JSON object/);
  bad({ 'access-log-format': 'json' }, /--access-log-format needs --access-log/);
  bad({ 'access-log': '' }, /^--access-log: expected a file path/);
});
