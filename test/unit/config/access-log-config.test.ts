import t from 'tap';
import { readAccessLogs } from '../../../lib/config/envoy/access-log.js';
import { formatIssue } from '../../../lib/config/errors.js';
import { FieldReader, type IssueSink } from '../../../lib/config/reader.js';

const FILE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';
const STDOUT = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';

function decode(logs: unknown[]) {
  const sink: IssueSink = { file: 'f.yaml', issues: [], warnings: [] };
  const cfg = readAccessLogs(new FieldReader(sink, 'hcm', { access_log: logs }), 'access_log');
  return { cfg, issues: sink.issues.map(formatIssue) };
}

t.test('formats decode: format, json_format, log_format text/json/text_format_source', async (t) => {
  const { cfg, issues } = decode([
    { name: 'a', typed_config: { '@type': FILE, path: '/tmp/a', format: '%RESPONSE_CODE%\n' } },
    { name: 'b', typed_config: { '@type': FILE, path: '/tmp/b', json_format: { c: '%RESPONSE_CODE%' } } },
    {
      typed_config: {
        '@type': FILE,
        path: '/tmp/c',
        log_format: { text_format_source: { inline_string: '%DOWNSTREAM_PEER_URI_SAN%\n' } },
      },
    },
    { typed_config: { '@type': STDOUT, log_format: { json_format: { p: '%UPSTREAM_PEER_URI_SAN%' } } } },
    { typed_config: { '@type': STDOUT } },
  ]);
  t.same(issues, []);
  t.same(
    cfg.map((c) => [c.name, c.path, c.textFormat, c.jsonFormat]),
    [
      ['a', '/tmp/a', '%RESPONSE_CODE%\n', null],
      ['b', '/tmp/b', null, { c: '%RESPONSE_CODE%' }],
      ['envoy.access_loggers.file', '/tmp/c', '%DOWNSTREAM_PEER_URI_SAN%\n', null],
      ['envoy.access_loggers.stdout', '/dev/stdout', null, { p: '%UPSTREAM_PEER_URI_SAN%' }],
      ['envoy.access_loggers.stdout', '/dev/stdout', null, null],
    ],
  );
});

t.test('bad formats are config errors naming the field', async (t) => {
  const one = (tc: Record<string, unknown>) => decode([{ name: 'x', typed_config: tc }]).issues;
  t.match(one({ '@type': FILE, path: '/a', format: '%NOPE%' }), [
    /hcm\.access_log\[0\]\.typed_config\.format: unknown command operator %NOPE%/,
  ]);
  t.match(one({ '@type': FILE, path: '/a', log_format: { text_format: 'x %REQ(A' } }), [
    /access_log\[0\]\.typed_config\.log_format\.text_format: unterminated %REQ\(/,
  ]);
  t.match(one({ '@type': FILE, path: '/a', log_format: { json_format: { a: { b: '%NOPE%' } } } }), [
    /access_log\[0\]\.typed_config\.log_format\.json_format: a\.b: unknown command operator %NOPE%/,
  ]);
  t.match(one({ '@type': FILE, path: '/a', json_format: 'x' }), [
    /typed_config\.json_format: expected an object/,
  ]);
  t.match(
    one({
      '@type': FILE,
      path: '/a',
      log_format: { text_format_source: { inline_string: '%START_TIME(%Q)%' } },
    }),
    [/log_format\.text_format_source\.inline_string: unsupported START_TIME specifier %Q/],
  );
  t.match(one({ '@type': FILE, path: '/a', log_format: { text_format: '%DOWNSTREAM_PEER_URI_SAN(1)%' } }), [
    /log_format\.text_format: %DOWNSTREAM_PEER_URI_SAN% takes no argument/,
  ]);
  t.match(one({ '@type': FILE, path: '/a', log_format: { text_format: 'a', json_format: { a: 'b' } } }), [
    /log_format/,
  ]);
  t.match(one({ '@type': FILE }), [/typed_config: missing required field "path"/]);
});
