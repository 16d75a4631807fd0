import t from 'tap';
import { checkRegex, checkSubstitution } from '../../../lib/config/regex.js';

t.test('RE2 regexes that JavaScript can run are accepted', async (t) => {
  for (const re of ['^/api/v[0-9]+/.*', '(?i)/admin', '(?P<id>[a-z]+)', '[]a]', '\\d{3}']) {
    t.equal(checkRegex(re), null, re);
  }
});

t.test('features RE2 lacks and syntax errors are rejected with the regex and reason', async (t) => {
  t.equal(checkRegex('(a)\\1'), 'invalid regex "(a)\\1": backreference "\\1" is not supported by RE2');
  t.match(checkRegex('foo(?=bar)'), /lookahead "\(\?=" is not supported by RE2/);
  t.match(checkRegex('(?<!x)y'), /lookbehind "\(\?<!" is not supported by RE2/);
  t.match(checkRegex('(?<n>a)\\k<n>'), /named backreference/);
  t.match(checkRegex('/api/(v1'), /^invalid regex "\/api\/\(v1": .*Unterminated group/);
  t.match(checkRegex('(?U)a+'), /ungreedy/);
});

t.test('substitutions must refer to existing groups', async (t) => {
  t.equal(checkSubstitution('^/v1/(.*)$', '/v2/\\1'), null);
  t.match(checkSubstitution('^/v1/.*$', '/v2/\\1'), /refers to group 1/);
});
