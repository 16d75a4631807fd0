import t from 'tap';
import { type Part, parseFormat } from '../../../lib/accesslog/format-parser.js';
import { compileTextFormat, DEFAULT_FORMAT } from '../../../lib/accesslog/formatter.js';
import { composeLine, generateLine, planLine } from '../../../lib/accesslog/line-compiler.js';
import { OPERATORS } from '../../../lib/accesslog/operators.js';
import type { AccessLogRecord } from '../../../lib/accesslog/record.js';
import { fakeRecord } from './fake-record.js';

/** The pre-specialisation renderer: a loop over parts, `-` for unset, `:Z` truncation. */
function reference(parts: readonly Part[], r: AccessLogRecord): string {
  let s = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      s += p;
      continue;
    }
    const v = p.op.text(r);
    s += v === null ? '-' : p.maxLen !== null && v.length > p.maxLen ? v.slice(0, p.maxLen) : v;
  }
  return s;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(0x5eed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const maybe = <T>(v: T): T | null => (rand() < 0.3 ? null : v);

/** `${` spelled so no linter mistakes it for a template placeholder. */
const DOLLAR_BRACE = '$' + '{';

const HEADERS = [':method', ':path', ':authority', 'x-envoy-original-path', 'user-agent', 'x-a', 'x-b'];
const VALUES = [
  '',
  '-',
  'GET',
  '/a/b?c=d',
  'curl/8.4.0',
  'ü✓ non-ascii',
  'x'.repeat(40),
  `"q" \\ ${DOLLAR_BRACE}x}`,
];

function randomHeaders(): Record<string, string> {
  const h: Record<string, string> = {};
  for (const n of HEADERS) if (rand() < 0.6) h[n] = pick(VALUES);
  return h;
}

function randomRecord(): AccessLogRecord {
  return fakeRecord(
    {
      startTimeMs: Date.UTC(2016, 0, 1) + Math.floor(rand() * 3e11),
      durationMs: maybe(rand() * 5000),
      responseDurationMs: maybe(Math.floor(rand() * 100)),
      protocol: pick(['', 'HTTP/1.0', 'HTTP/1.1', 'HTTP/2']),
      responseCode: pick([0, 200, 404, 503]),
      responseFlags: rand() < 0.5 ? 0 : Math.floor(rand() * 2 ** 28),
      responseCodeDetails: maybe('via_upstream'),
      connectionTerminationDetails: maybe('td'),
      upstreamTransportFailureReason: maybe('delayed connect error: 111'),
      bytesReceived: Math.floor(rand() * 1e6),
      bytesSent: Math.floor(rand() * 1e9),
      upstreamHost: maybe('10.0.0.2:8080'),
      upstreamCluster: maybe('outbound|8080||svc'),
      upstreamLocalAddress: maybe('10.0.0.1:40000'),
      downstreamRemoteAddress: maybe(pick(['10.1.1.1:5555', '[::1]:15006', 'unix'])),
      downstreamLocalAddress: maybe(pick(['10.1.1.1:5555', '[::1]:15006', '::1'])),
      requestedServerName: maybe(pick(['', 'svc.ns'])),
      routeName: maybe(pick(['', 'default'])),
    },
    randomHeaders(),
    randomHeaders(),
    randomHeaders(),
  );
}

/** Every operator name with a valid argument. */
const OPERANDS: string[] = [...OPERATORS.keys()].flatMap((name) => {
  if (['REQ', 'REQUEST_HEADER', 'RESP', 'RESPONSE_HEADER', 'TRAILER', 'RESPONSE_TRAILER'].includes(name)) {
    return [`${name}(:PATH)`, `${name}(X-A)`, `${name}(X-ENVOY-ORIGINAL-PATH?:PATH)`, `${name}(x-none?x-b)`];
  }
  if (name === 'START_TIME') return ['START_TIME', 'START_TIME(%s.%3f %F)', 'START_TIME(%Y%m%d %E2S)'];
  return [name];
});

// Literal text that would break or inject code if it were ever spliced into generated source.
const LITERALS = [
  '',
  ' ',
  '"',
  "'",
  '`',
  `${DOLLAR_BRACE}r}`,
  '\\',
  '\n',
  '*/',
  '); throw 1; (',
  '%%',
  'ü✓',
  ' - ',
];

function randomFormat(): string {
  let f = '';
  const n = Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) {
    f += pick(LITERALS);
    if (rand() < 0.8) f += `%${pick(OPERANDS)}%${rand() < 0.2 ? `:${Math.floor(rand() * 6)}` : ''}`;
  }
  return f;
}

t.test('specialised lines equal the reference renderer on random formats and records', async (t) => {
  let checked = 0;
  const formats = [DEFAULT_FORMAT, ...OPERANDS.map((o) => `%${o}%`), ...OPERANDS.map((o) => `a%${o}:0%b`)];
  for (let i = 0; i < 300; i++) formats.push(randomFormat());
  for (const format of formats) {
    const parts = parseFormat(format);
    if (typeof parts === 'string') throw new Error(`${format}: ${parts}`);
    const plan = planLine(parts);
    const compiled = compileTextFormat(format);
    const generated = generateLine(plan);
    const composed = composeLine(plan);
    for (let k = 0; k < 20; k++) {
      const r = randomRecord();
      const want = reference(parts, r);
      if (compiled(r) !== want || generated(r) !== want || composed(r) !== want) {
        t.fail(`mismatch for ${JSON.stringify(format)}`, {
          want,
          got: [compiled(r), generated(r), composed(r)],
        });
        return;
      }
      checked++;
    }
  }
  t.equal(checked, formats.length * 20, 'every line identical');
});

t.test('each operator line getter is text with - for unset', async (t) => {
  for (const operand of OPERANDS) {
    const parts = parseFormat(`%${operand}%`);
    if (typeof parts === 'string' || typeof parts[0] === 'string') throw new Error(operand);
    const op = parts[0]!.op;
    for (let k = 0; k < 50; k++) {
      const r = randomRecord();
      if (op.line(r) !== (op.text(r) ?? '-')) {
        t.fail(operand);
        return;
      }
    }
  }
  t.pass('all operators agree');
});

t.test('literal text is data, never code', async (t) => {
  const r = fakeRecord({ protocol: 'HTTP/1.1' });
  const tricky = `\`${DOLLAR_BRACE}process.exit(1)}\` '); process.exit(1); (' \\ */ \n`;
  t.equal(compileTextFormat(`${tricky}%PROTOCOL%${tricky}`)(r), `${tricky}HTTP/1.1${tricky}`);
  t.equal(compileTextFormat('only text %% here')(r), 'only text % here');
  t.equal(compileTextFormat('')(r), '');
});
