import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { createAccessLogger } from '../../../lib/accesslog/access-logger.js';
import { AccessLogSinks, openAccessLogSink, sinkForStream } from '../../../lib/accesslog/sink.js';
import { fakeRecord } from './fake-record.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sink-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('file sink appends all lines in order, batched, and close flushes', async (t) => {
  const file = join(tempDir(t), 'access.log');
  writeFileSync(file, 'existing\n');
  const sink = openAccessLogSink(file);
  const want: string[] = ['existing\n'];
  // More than one 64 KiB batch, written synchronously in one turn.
  for (let i = 0; i < 5000; i++) {
    const line = `line ${i} ${'x'.repeat(40)}\n`;
    want.push(line);
    sink.write(line);
  }
  await sink.close();
  t.equal(readFileSync(file, 'utf8'), want.join(''));
  t.equal(sink.dropped, 0);
  sink.write('after close\n');
  t.equal(sink.dropped, 1, 'writes after close are counted as dropped');
  t.equal(readFileSync(file, 'utf8'), want.join(''));
});

t.test('lines written across turns all arrive', async (t) => {
  const file = join(tempDir(t), 'a.log');
  const sink = openAccessLogSink(file);
  sink.write('a\n');
  await new Promise((r) => setImmediate(r));
  sink.write('b\n');
  await new Promise((r) => setTimeout(r, 0));
  sink.write('c\n');
  await sink.close();
  t.equal(readFileSync(file, 'utf8'), 'a\nb\nc\n');
});

t.test('a missing directory is a clear config error', async (t) => {
  const bad = join(tempDir(t), 'no', 'such', 'dir', 'access.log');
  t.throws(() => openAccessLogSink(bad), {
    code: 'SKIFF_ERR_CONFIG',
    message: new RegExp(`cannot open access log file ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`),
  });
  const dir = tempDir(t);
  t.throws(
    () => openAccessLogSink(dir),
    { code: 'SKIFF_ERR_CONFIG' },
    'a directory is not writable as a file',
  );
});

t.test('AccessLogSinks shares one sink per path with refcounts', async (t) => {
  const file = join(tempDir(t), 'shared.log');
  const sinks = new AccessLogSinks();
  const a = sinks.acquire(file);
  const b = sinks.acquire(file);
  t.equal(a, b);
  a.write('1\n');
  await sinks.release(file);
  b.write('2\n');
  await sinks.release(file);
  t.equal(readFileSync(file, 'utf8'), '1\n2\n');
  const c = sinks.acquire(file);
  t.not(c, a, 'reopened after the last release');
  c.write('3\n');
  await sinks.closeAll();
  t.equal(readFileSync(file, 'utf8'), '1\n2\n3\n');
  const out = sinks.acquire('/dev/stdout');
  t.equal(sinks.acquire('/dev/stdout'), out);
  await sinks.closeAll();
});

t.test('createAccessLogger writes every configured log and releases its sinks', async (t) => {
  const dir = tempDir(t);
  const sinks = new AccessLogSinks();
  t.equal(createAccessLogger([], sinks), null);
  const text = join(dir, 'text.log');
  const json = join(dir, 'json.log');
  const log = createAccessLogger(
    [
      { name: 'a', path: text, textFormat: '%RESPONSE_CODE% %REQ(:PATH)%\n', jsonFormat: null },
      { name: 'b', path: json, textFormat: null, jsonFormat: { code: '%RESPONSE_CODE%' } },
      { name: 'c', path: text, textFormat: null, jsonFormat: null },
    ],
    sinks,
  );
  t.ok(log);
  log!(fakeRecord({ responseCode: 200 }, { ':path': '/x', ':method': 'GET' }));
  await log!.release();
  await log!.release();
  t.match(readFileSync(text, 'utf8'), /^200 \/x\n\[2016-04-15T20:17:00\.310Z\] "GET \/x HTTP\/2" 200 /);
  t.equal(readFileSync(json, 'utf8'), '{"code":200}\n');
  t.throws(() =>
    createAccessLogger(
      [{ name: 'bad', path: join(dir, 'x', 'y.log'), textFormat: null, jsonFormat: null }],
      sinks,
    ),
  );
  t.throws(() =>
    createAccessLogger([{ name: 'bad', path: text, textFormat: '%NOPE%', jsonFormat: null }], sinks),
  );
  await sinks.closeAll();
});

t.test('a stalled destination bounds the buffer and counts dropped lines', async (t) => {
  const received: string[] = [];
  let release: (() => void) | null = null;
  const stalled = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      received.push(chunk.toString());
      release = cb; // never completes until the test lets it
    },
  });
  const sink = sinkForStream(stalled, true);
  const line = `${'y'.repeat(1023)}\n`; // 1 KiB
  sink.write(line);
  await new Promise((r) => setTimeout(r, 150)); // first timed flush: write() now reports back-pressure
  t.equal(received.length, 1);
  const total = 5 * 1024; // 5 MiB more than the destination takes
  for (let i = 0; i < total; i++) sink.write(line);
  t.ok(sink.dropped > 0, 'lines beyond the bound were dropped');
  t.ok(sink.dropped <= total - 4 * 1024 + 1, 'about 4 MiB was kept');
  const kept = total - sink.dropped;
  t.equal(received.length, 1, 'nothing more written while stalled');
  // Let the destination drain: everything kept arrives.
  const closing = sink.close();
  stalled._write = (chunk: Buffer, _enc, cb) => {
    received.push(chunk.toString());
    cb();
  };
  release!();
  await closing;
  t.equal(received.join('').length, (kept + 1) * line.length);
});

t.test('drops go to the shared counter; close gives up on a destination that never drains', async (t) => {
  let counted = 0;
  const drops = { inc: () => void counted++ };
  let destroyed = false;
  const stuck = new Writable({
    highWaterMark: 1024,
    write(_chunk: Buffer, _enc, _cb) {
      // never completes
    },
    destroy(err, cb) {
      destroyed = true;
      cb(err);
    },
  });
  const sink = sinkForStream(stuck, true, drops);
  const line = `${'z'.repeat(1023)}\n`;
  sink.write(line);
  await new Promise((r) => setTimeout(r, 150)); // timed flush: now back-pressured
  for (let i = 0; i < 5 * 1024; i++) sink.write(line);
  t.ok(sink.dropped > 0);
  t.equal(counted, sink.dropped, 'every drop reached the counter');
  await sink.close(); // bounded: resolves although the destination never drains
  t.ok(destroyed, 'the owned stream was destroyed');
});

t.test('a FIFO: written through a pipe stream; no reader is a config error', async (t) => {
  const fifo = join(tempDir(t), 'fifo');
  execFileSync('mkfifo', [fifo]);
  t.throws(() => openAccessLogSink(fifo), { code: 'SKIFF_ERR_CONFIG', message: /FIFO has no reader/ });
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  t.teardown(() => closeSync(reader));
  const sink = openAccessLogSink(fifo);
  sink.write('through the fifo\n');
  await sink.close();
  const buf = Buffer.alloc(64);
  const n = readSync(reader, buf, 0, 64, null);
  t.equal(buf.subarray(0, n).toString(), 'through the fifo\n');
});
