import { readFile } from 'node:fs/promises';
import t from 'tap';
import { FIELD_RULES } from '../../../lib/config/envoy/field-rules.js';

t.test('docs/config.md lists every accepted-and-ignored field', async (t) => {
  const doc = await readFile(new URL('../../../../docs/config.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Accepted, ignored'));
  for (const [message, rules] of Object.entries(FIELD_RULES)) {
    if (rules.ignored === undefined || rules.ignored.length === 0) continue;
    const row = section.split('\n').find((l) => l.startsWith(`| ${message} |`));
    t.ok(row !== undefined, `${message} has a row`);
    for (const f of rules.ignored) t.ok(row?.includes(`\`${f}\``), `${message}.${f} is listed`);
  }
});
