import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { MAIN_HELP, VALIDATE_HELP } from '../../../lib/cli/help.js';
import type { Io } from '../../../lib/cli/io.js';
import { main } from '../../../lib/cli/main.js';
import { minimal } from '../config/fixtures.js';

interface CollectingIo extends Io {
  readonly stdout: string[];
  readonly stderr: string[];
}

function collect(): CollectingIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = collect();
  const code = await main(argv, io);
  return { code, out: io.stdout.join(''), err: io.stderr.join('') };
}

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'skiff-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('help prints the main help and exits 0', async (t) => {
  for (const arg of ['help', '--help', '-h']) {
    const r = await run([arg]);
    t.equal(r.code, 0, arg);
    t.equal(r.out, MAIN_HELP, arg);
    t.equal(r.err, '', arg);
  }
});

t.test('no command prints the help and exits 2', async (t) => {
  const r = await run([]);
  t.equal(r.code, 2);
  t.equal(r.out, MAIN_HELP);
});

t.test('an unknown command exits 2 on stderr', async (t) => {
  const r = await run(['frobnicate', '-c', 'x']);
  t.equal(r.code, 2);
  t.equal(r.out, '');
  t.match(r.err, /^skiff: unknown command "frobnicate"\n/);
  t.ok(r.err.includes(MAIN_HELP));
});

t.test('validate --help', async (t) => {
  const r = await run(['validate', '--help']);
  t.equal(r.code, 0);
  t.equal(r.out, VALIDATE_HELP);
});

t.test('validate without -c is a usage error (exit 2)', async (t) => {
  const r = await run(['validate']);
  t.equal(r.code, 2);
  t.equal(r.err, 'skiff: validate: at least one -c FILE is required\n');
});

t.test('validate with an unknown flag is a usage error (exit 2)', async (t) => {
  const r = await run(['validate', '--bogus']);
  t.equal(r.code, 2);
  t.match(r.err, /^skiff: .*bogus/);
});

t.test('validate of a good file prints ok and exits 0', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'good.yaml');
  await writeFile(file, minimal());
  const r = await run(['validate', '-c', file]);
  t.equal(r.code, 0, r.err);
  t.equal(r.out, 'ok\n');
});

t.test('validate of a bad file names the file and exits 1', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'bad.yaml');
  await writeFile(
    file,
    minimal({ cluster: 'svc' }).replace('route: {cluster: svc}', 'route: {cluster: nowhere}'),
  );
  const r = await run(['validate', '-c', file]);
  t.equal(r.code, 1);
  t.equal(r.out, '');
  t.ok(r.err.includes(file), 'the error names the file');
  t.match(r.err, /nowhere/);
});

t.test('validate of a YAML syntax error exits 1', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'broken.yaml');
  await writeFile(file, 'static_resources: [\n');
  const r = await run(['validate', '-c', file]);
  t.equal(r.code, 1);
  t.ok(r.err.includes(file));
});

t.test('validate of a missing file exits 1', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'missing.yaml');
  const r = await run(['validate', '-c', file]);
  t.equal(r.code, 1);
  t.ok(r.err.includes(file));
  t.match(r.err, /no such file/);
});
