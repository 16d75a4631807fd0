import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { tempLogPath } from '../helpers/files.js';
import { fill, get, simpleBootstrap } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));

function skiffSync(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [SKIFF, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('--help on every command', async (t) => {
  for (const cmd of [[], ['run'], ['validate'], ['translate'], ['demo']]) {
    const r = skiffSync([...cmd, '--help']);
    t.equal(r.code, 0, `skiff ${cmd.join(' ')} --help`);
    t.match(r.out, /Usage: skiff/);
  }
  const bad = skiffSync(['frobnicate']);
  t.equal(bad.code, 2);
  t.match(bad.err, /unknown command "frobnicate"/);
});

t.test('validate: ok, and every error with file and field path', async (t) => {
  const good = tempLogPath('good.yaml');
  writeFileSync(good, fill(simpleBootstrap(), { UPSTREAM: 8080 }));
  const r = skiffSync(['validate', '-c', good]);
  t.equal(r.code, 0);
  t.equal(r.out.trim(), 'ok');

  const badFile = tempLogPath('bad.yaml');
  writeFileSync(
    badFile,
    fill(simpleBootstrap(), { UPSTREAM: 8080 }).replace(
      'type: STATIC',
      'type: STATIC\n    lb_policy: FOO\n    bogus_field: 1',
    ),
  );
  const b = skiffSync(['validate', '-c', badFile]);
  t.equal(b.code, 1);
  t.match(
    b.err,
    `${badFile}: static_resources.clusters[0].lb_policy: unknown value "FOO"; expected one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV`,
  );
  t.match(
    b.err,
    /static_resources\.clusters\[0\](\.bogus_field)?: unknown field "?bogus_field"?/,
    'all errors reported together',
  );

  const missing = skiffSync(['validate', '-c', '/nonexistent/skiff.yaml']);
  t.equal(missing.code, 1);
  t.match(missing.err, /\/nonexistent\/skiff\.yaml/);
});

t.test('run: an invalid config exits 1 before binding; a valid one serves until SIGTERM', async (t) => {
  const badFile = tempLogPath('bad-run.yaml');
  writeFileSync(badFile, 'static_resources: { clusters: [ { name: x, lb_policy: NOPE } ] }\n');
  const badPort = skiffSync(['run', '-c', badFile, '--health-port', 'abc']);
  t.equal(badPort.code, 2, 'a bad --health-port is a usage error');
  t.match(badPort.err, /--health-port: "abc" is not a port number/);
  const bad = skiffSync(['run', '-c', badFile, '--admin-port', '0']);
  t.equal(bad.code, 1);
  t.match(bad.err, /lb_policy: unknown value "NOPE"/);
  t.notMatch(bad.out, /listening/);

  const up = await startUpstream('up');
  t.teardown(() => up.close());
  const cfg = tempLogPath('run.yaml');
  writeFileSync(cfg, fill(simpleBootstrap(), { UPSTREAM: up.port }));
  const child = spawn(
    process.execPath,
    [SKIFF, 'run', '-c', cfg, '--admin-port', '0', '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.teardown(() => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listener test listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const r = await get(`http://127.0.0.1:${port}/via-cli`);
  t.equal(r.status, 200);
  t.equal(r.body, 'up GET /via-cli');
  const curl = spawnSync('curl', ['-s', '-i', `http://127.0.0.1:${port}/curl`], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (curl.error === undefined)
    t.match(curl.stdout, /^HTTP\/1.1 200[\s\S]*x-envoy-upstream-service-time/i, 'curl as a client');
  // Live reload: a broken file is rejected (stderr names the field) and the old config serves; a
  // good one applies. SIGHUP asks for the reload; the file watcher may get there first.
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  writeFileSync(
    cfg,
    fill(simpleBootstrap(), { UPSTREAM: up.port }).replace(
      'connect_timeout: 1s',
      'connect_timeout: 1s\n    lb_policy: NOPE',
    ),
  );
  child.kill('SIGHUP');
  const deadline = Date.now() + 10_000;
  while (!/config reload rejected/.test(stderr) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 25));
  t.match(
    stderr,
    /lb_policy: unknown value "NOPE"[\s\S]*config reload rejected/,
    'a bad config is rejected with its field',
  );
  t.equal((await get(`http://127.0.0.1:${port}/still`)).status, 200, 'and the old config keeps serving');
  const routes = `              - match: { prefix: "/" }
                direct_response: { status: 200, body: { inline_string: reloaded } }`;
  writeFileSync(cfg, fill(simpleBootstrap({ routes }), { UPSTREAM: up.port }));
  child.kill('SIGHUP');
  let body = '';
  while (body !== 'reloaded' && Date.now() < deadline + 10_000) {
    body = (await get(`http://127.0.0.1:${port}/x`)).body;
    if (body !== 'reloaded') await new Promise((r) => setTimeout(r, 25));
  }
  t.equal(body, 'reloaded', 'a good config applies live');
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGTERM');
  t.equal(await exit, 0, 'SIGTERM → clean exit 0');
});
