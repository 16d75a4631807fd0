import { PassThrough, type Readable } from 'node:stream';
import t from 'tap';
import { RequestBodyBuffer } from '../../../lib/router/request-body-buffer.js';

async function readAll(r: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

t.test('each attempt gets the whole body: replayed chunks, then live ones', async (t) => {
  const src = new PassThrough();
  const buf = new RequestBodyBuffer(src, 100);
  const first = buf.attemptBody();
  src.write('abc');
  await new Promise((r) => setImmediate(r));
  first.destroy(); // the attempt failed
  const second = buf.attemptBody();
  src.end('def');
  t.equal(await readAll(second), 'abcdef');
  t.ok(buf.replayable);
  t.equal(await readAll(buf.attemptBody()), 'abcdef', 'a third attempt after the end replays it all');
});

t.test('past the limit the copy is dropped once and the body keeps streaming', async (t) => {
  const src = new PassThrough();
  const buf = new RequestBodyBuffer(src, 4);
  let abandoned = 0;
  buf.onAbandoned = () => abandoned++;
  const body = buf.attemptBody();
  src.write('abc');
  src.write('def');
  src.end('ghi');
  t.equal(await readAll(body), 'abcdefghi');
  t.notOk(buf.replayable);
  t.equal(abandoned, 1);
  t.equal(buf.received, 9);
});
