/**
 * Golden tests for `skiff translate`: each directory under test/golden/translate/ holds
 * `args` (the command line, one argument per line, paths relative to the repository) and
 * `expected.yaml` (stdout). `UPDATE_GOLDEN=1 npm test` rewrites the expected files; review the
 * diff like code.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { main } from '../../lib/cli/main.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GOLDEN = join(ROOT, 'test/golden/translate');

async function translate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const code = await main(['translate', ...args], {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
    });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

for (const name of readdirSync(GOLDEN).sort()) {
  t.test(name, async (t) => {
    const dir = join(GOLDEN, name);
    const args = readFileSync(join(dir, 'args'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const r = await translate(args);
    t.equal(r.code, 0, r.err);
    const expectedPath = join(dir, 'expected.yaml');
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(expectedPath)) {
      writeFileSync(expectedPath, r.out);
      t.pass('golden file written');
      return;
    }
    t.equal(r.out, readFileSync(expectedPath, 'utf8'), `skiff translate ${args.join(' ')}`);
  });
}
