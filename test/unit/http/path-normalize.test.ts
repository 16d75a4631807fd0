import t from 'tap';
import {
  canonicalPath,
  mergeSlashes,
  normalizationEnabled,
  normalizeRequestPath,
  PathAction,
  type PathNormalizationConfig,
} from '../../../lib/http/path-normalize.js';

t.test('canonicalPath: RFC 3986 dot segments after decoding unreserved escapes', async (t) => {
  const cases: [string, string][] = [
    ['/public/../admin', '/admin'],
    ['/public/%2e%2e/admin', '/admin'],
    ['/public/%2E%2e/admin', '/admin'],
    ['/public/.%2e/admin', '/admin'],
    ['/admin/.', '/admin/'],
    ['/admin/./x', '/admin/x'],
    ['/a/b/..', '/a/'],
    ['/..', '/'],
    ['/../../x', '/x'],
    ['//admin', '//admin'],
    ['/%61dmin', '/admin'],
    ['/a%2Fb', '/a%2Fb'],
    ['/a\\..\\admin', '/admin'],
    ['/a%zzb', '/a%zzb'],
    ['/a%', '/a%'],
    ['/sp"ace<>', '/sp%22ace%3C%3E'],
    ['/..;x=1/admin', '/..;x=1/admin'],
    ['/', '/'],
  ];
  for (const [input, want] of cases) t.equal(canonicalPath(input), want, input);
  t.equal(canonicalPath('relative'), null);
});

t.test('mergeSlashes', async (t) => {
  t.equal(mergeSlashes('//admin///x'), '/admin/x');
  t.equal(mergeSlashes('/a/b'), '/a/b');
});

function run(path: string, cfg: Partial<PathNormalizationConfig>): [PathAction, string] {
  const target = { path };
  const action = normalizeRequestPath(target, { normalizePath: false, mergeSlashes: false, ...cfg });
  return [action, target.path];
}

t.test('normalizeRequestPath: order, query kept, escaped-slash actions', async (t) => {
  t.same(run('/public/../admin?x=/../y', { normalizePath: true }), [PathAction.Continue, '/admin?x=/../y']);
  t.same(run('//admin', { mergeSlashes: true }), [PathAction.Continue, '/admin']);
  t.same(run('/a/..//admin', { normalizePath: true, mergeSlashes: true }), [PathAction.Continue, '/admin']);
  t.same(run('/public/..%2Fadmin', { normalizePath: true }), [PathAction.Continue, '/public/..%2Fadmin']);
  t.same(run('/public/..%2Fadmin', { pathWithEscapedSlashesAction: 'KEEP_UNCHANGED', normalizePath: true }), [
    PathAction.Continue,
    '/public/..%2Fadmin',
  ]);
  t.same(
    run('/public/..%2fadmin', { pathWithEscapedSlashesAction: 'UNESCAPE_AND_FORWARD', normalizePath: true }),
    [PathAction.Continue, '/admin'],
  );
  t.same(
    run('/public/..%5cadmin', { pathWithEscapedSlashesAction: 'UNESCAPE_AND_FORWARD', normalizePath: true }),
    [PathAction.Continue, '/admin'],
  );
  t.same(
    run('/a%2Fb?q=%2F', { pathWithEscapedSlashesAction: 'UNESCAPE_AND_REDIRECT', normalizePath: true }),
    [PathAction.Redirect, '/a/b?q=%2F'],
  );
  t.same(run('/a/b', { pathWithEscapedSlashesAction: 'UNESCAPE_AND_REDIRECT' }), [
    PathAction.Continue,
    '/a/b',
  ]);
  t.same(run('/a%2Fb', { pathWithEscapedSlashesAction: 'REJECT_REQUEST' }), [PathAction.Reject, '/a%2Fb']);
  t.same(run('*', { normalizePath: true }), [PathAction.Continue, '*']);
});

t.test('normalizationEnabled: off unless a setting asks for it', async (t) => {
  t.equal(normalizationEnabled({ normalizePath: false, mergeSlashes: false }), false);
  t.equal(
    normalizationEnabled({
      normalizePath: false,
      mergeSlashes: false,
      pathWithEscapedSlashesAction: 'KEEP_UNCHANGED',
    }),
    false,
  );
  t.equal(normalizationEnabled({ normalizePath: true, mergeSlashes: false }), true);
  t.equal(normalizationEnabled({ normalizePath: false, mergeSlashes: true }), true);
  t.equal(
    normalizationEnabled({
      normalizePath: false,
      mergeSlashes: false,
      pathWithEscapedSlashesAction: 'REJECT_REQUEST',
    }),
    true,
  );
});
