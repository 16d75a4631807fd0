import t from 'tap';
import { compileTimeFormat as compileStartTimeFormat } from '../../../lib/accesslog/start-time.js';
import { compileRe2, translateRe2, translateRe2Substitution } from '../../../lib/router/re2.js';

t.test('RE2 spellings translate to JavaScript', async (t) => {
  t.equal(translateRe2('(?P<id>\\d+)', 'w').source, '(?<id>\\d+)');
  t.same(translateRe2('(?i)abc', 'w'), { source: 'abc', flags: 'i' });
  t.ok(compileRe2('(?i)abc', 'w', { anchored: true }).test('ABC'));
  t.ok(compileRe2('[[:alpha:]_]+', 'w', { anchored: true }).test('ab_C'));
  t.notOk(compileRe2('[[:alpha:]]+', 'w', { anchored: true }).test('a1'));
  t.ok(compileRe2('\\Qa.b\\E', 'w', { anchored: true }).test('a.b'));
  t.notOk(compileRe2('\\Qa.b\\E', 'w', { anchored: true }).test('axb'));
  t.ok(compileRe2('\\Aab\\z', 'w', { anchored: false }).test('ab'));
  t.ok(compileRe2('[]a]+', 'w', { anchored: true }).test(']a]'), '] first in a class is literal');
  t.throws(() => compileRe2('(?U)a', 'w', { anchored: true }), { code: 'SKIFF_ERR_CONFIG' });
});

t.test('substitutions', async (t) => {
  const re = compileRe2('(a)(b)', 'w', { anchored: false, global: true });
  t.equal('xaby'.replace(re, translateRe2Substitution('\\2\\1\\\\$', re, 'w')), 'xba\\$y');
  t.throws(() => translateRe2Substitution('\\q', re, 'w'), { code: 'SKIFF_ERR_CONFIG' });
});

t.test('START_TIME formats', async (t) => {
  const ms = Date.UTC(2024, 1, 3, 4, 5, 6, 7);
  t.equal(compileStartTimeFormat(null)(ms), '2024-02-03T04:05:06.007Z');
  t.equal(compileStartTimeFormat('%Y/%m/%d %H:%M:%S')(ms), '2024/02/03 04:05:06');
  t.equal(compileStartTimeFormat('%E3S|%6f|%s|%%')(ms), '06.007|007000|1706933106|%');
});
