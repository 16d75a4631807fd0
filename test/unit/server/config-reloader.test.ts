import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Bootstrap } from '../../../lib/config/model.js';
import { ConfigReloader } from '../../../lib/server/config-reloader.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import { createLogger } from '../../../lib/util/logger.js';

const VALID = 'static_resources: { clusters: [] }\n';

t.test('reloads never overlap; one asked for during a reload runs right after it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-reloader-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'c.yaml');
  await writeFile(file, VALID);
  let active = 0;
  let maxActive = 0;
  const applied: Bootstrap[] = [];
  const target = {
    reload: async (b: Bootstrap) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 50));
      applied.push(b);
      active--;
    },
  };
  const stats = new StatsRegistry();
  const reloader = new ConfigReloader({
    paths: [file],
    target,
    stats: stats.reload,
    log: createLogger('off'),
  });
  const first = reloader.reloadNow();
  const second = reloader.reloadNow();
  const third = reloader.reloadNow();
  t.equal(await first, true);
  t.equal(await second, true, 'callers during a reload share its result');
  t.equal(await third, true);
  await new Promise((r) => setTimeout(r, 150));
  t.equal(applied.length, 2, 'the first reload, then one more for all requests made meanwhile');
  t.equal(maxActive, 1, 'never two at once');
  t.equal(stats.reload.applied.value, 2);
});

t.test('a target that throws rejects the reload and keeps the error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-reloader-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'c.yaml');
  await writeFile(file, VALID);
  const stats = new StatsRegistry();
  const target = {
    reload: async () => {
      throw new Error('listener x: cannot bind 127.0.0.1:1: EACCES');
    },
  };
  const reloader = new ConfigReloader({
    paths: [file],
    target,
    stats: stats.reload,
    log: createLogger('off'),
  });
  t.equal(await reloader.reloadNow(), false);
  t.same(reloader.lastError?.errors, ['listener x: cannot bind 127.0.0.1:1: EACCES']);
  t.equal(stats.reload.rejected.value, 1);
  await writeFile(file, 'static_resources: { bogus: 1 }\n');
  t.equal(await reloader.reloadNow(), false);
  t.match(reloader.lastError?.errors[0], /c\.yaml: static_resources: unknown field "bogus"/);
});
