import t from 'tap';
import type { ConfigIssue } from '../../../lib/config/errors.js';
import { FieldReader, type IssueSink } from '../../../lib/config/reader.js';

function sink(): IssueSink & { issues: ConfigIssue[] } {
  return { file: 'f.yaml', issues: [], warnings: [] };
}

t.test('typed reads record issues with paths and keep going', async (t) => {
  const s = sink();
  const r = new FieldReader(s, 'root', {
    a: 'x',
    b: 'nope',
    n: '42',
    big: 70000,
    e: 'BAR',
    extra: 1,
    gone: null,
  });
  t.equal(r.string('a'), 'x');
  t.equal(r.bool('b'), undefined);
  t.equal(r.int('n'), 42);
  t.equal(r.int('big', 0, 65535), undefined);
  t.equal(r.enumValue('e', ['FOO']), undefined);
  t.equal(r.requiredString('missing'), '');
  r.finish({ ignored: ['gone'] });
  t.same(
    s.issues.map((i) => `${i.path}: ${i.message}`),
    [
      'root.b: expected a boolean, got a string ("nope")',
      'root.big: 70000 is out of range; must be 0–65535',
      'root.e: unknown value "BAR"; expected one of FOO',
      'root: missing required field "missing"',
      'root: unknown field "extra"',
    ],
  );
});

t.test('camelCase names are accepted like protobuf JSON, twice is an issue', async (t) => {
  const s = sink();
  const r = new FieldReader(s, '', { statPrefix: 'p', stat_prefix: 'q' });
  t.equal(r.string('stat_prefix'), 'p');
  r.finish();
  t.match(s.issues[0]?.message, /given twice/);
});

t.test('oneOf and unsupported fields', async (t) => {
  const s = sink();
  const r = new FieldReader(s, 'm', { prefix: '/', path: '/a', tracing: {} });
  t.equal(r.oneOf(['prefix', 'path'], true), undefined);
  r.skip('prefix', 'path');
  r.finish({ unsupported: { tracing: 'coming later' } });
  t.same(
    s.issues.map((i) => `${i.path}: ${i.message}`),
    [
      'm: only one of prefix, path may be set (found prefix and path)',
      'm.tracing: tracing is not supported yet (coming later)',
    ],
  );
});
