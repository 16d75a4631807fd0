import { hostname } from 'node:os';
import { compileTimeFormat, validateTimeFormat } from '../accesslog/start-time.js';
import { SkiffError } from '../errors.js';
import { addressWithoutPort } from './path-util.js';
import type { HeaderReader, HeaderValueContext } from './types.js';

const LITERAL = 0;
const DOWNSTREAM_REMOTE = 1;
const DOWNSTREAM_REMOTE_NO_PORT = 2;
const DOWNSTREAM_LOCAL = 3;
const DOWNSTREAM_LOCAL_NO_PORT = 4;
const UPSTREAM_REMOTE = 5;
const PROTOCOL = 6;
const START_TIME = 7;
const REQ = 8;
const RESP = 9;

interface Part {
  readonly kind: number;
  readonly text: string;
  /** REQ/RESP: lower-cased alternatives (`%REQ(a?b)%`). */
  readonly names: readonly string[];
  /** REQ/RESP `:N` truncation, or -1. */
  readonly maxLength: number;
  readonly time: ((ms: number) => string) | null;
}

const SIMPLE: Readonly<Record<string, number>> = {
  DOWNSTREAM_REMOTE_ADDRESS: DOWNSTREAM_REMOTE,
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: DOWNSTREAM_REMOTE_NO_PORT,
  DOWNSTREAM_LOCAL_ADDRESS: DOWNSTREAM_LOCAL,
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: DOWNSTREAM_LOCAL_NO_PORT,
  UPSTREAM_REMOTE_ADDRESS: UPSTREAM_REMOTE,
  PROTOCOL,
};

function part(kind: number, text = '', names: readonly string[] = [], maxLength = -1): Part {
  return Object.freeze({ kind, text, names, maxLength, time: null });
}

function readHeader(h: HeaderReader | null | undefined, p: Part): string {
  if (h === null || h === undefined) return '';
  for (const name of p.names) {
    const v = h.get(name);
    if (v !== undefined) return p.maxLength >= 0 && v.length > p.maxLength ? v.slice(0, p.maxLength) : v;
  }
  return '';
}

/**
 * A header value with `%COMMAND%` substitutions, parsed once. Values without `%` are constants
 * (`constant !== null`) and cost nothing per request. Unavailable values (no upstream yet, missing
 * header) format as "", as Envoy's header formatter omits empty values.
 */
export class HeaderValueFormatter {
  readonly constant: string | null;
  private readonly parts: readonly Part[];

  constructor(value: string, where: string) {
    const parts = parse(value, where);
    const lits = parts.every((p) => p.kind === LITERAL);
    this.constant = lits ? parts.map((p) => p.text).join('') : null;
    this.parts = parts;
    Object.freeze(this);
  }

  /** `req` answers %REQ(…)%, `resp` answers %RESP(…)%. */
  format(req: HeaderReader | null | undefined, resp: HeaderReader | null, ctx: HeaderValueContext): string {
    if (this.constant !== null) return this.constant;
    let out = '';
    for (const p of this.parts) {
      switch (p.kind) {
        case LITERAL:
          out += p.text;
          break;
        case DOWNSTREAM_REMOTE:
          out += ctx.downstreamRemoteAddress;
          break;
        case DOWNSTREAM_REMOTE_NO_PORT:
          out += addressWithoutPort(ctx.downstreamRemoteAddress);
          break;
        case DOWNSTREAM_LOCAL:
          out += ctx.downstreamLocalAddress;
          break;
        case DOWNSTREAM_LOCAL_NO_PORT:
          out += addressWithoutPort(ctx.downstreamLocalAddress);
          break;
        case UPSTREAM_REMOTE:
          out += ctx.upstreamHost ?? '';
          break;
        case PROTOCOL:
          out += ctx.protocol;
          break;
        case START_TIME:
          out += p.time!(ctx.startTimeMs);
          break;
        case REQ:
          out += readHeader(req, p);
          break;
        default:
          out += readHeader(resp, p);
      }
    }
    return out;
  }
}

function parse(value: string, where: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const bad = (reason: string): never => {
    throw new SkiffError('SKIFF_ERR_CONFIG', `${where}: invalid header value '${value}': ${reason}`);
  };
  let i = 0;
  while (i < value.length) {
    const c = value[i]!;
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    if (value[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const m = /^([A-Z0-9_]+)(?:\(([^)]*)\))?(?::(\d+))?%/.exec(value.slice(i + 1));
    if (m === null) return bad(`un-escaped or unterminated % at position ${i}`);
    const [whole, name, arg, max] = m as unknown as [string, string, string | undefined, string | undefined];
    if (lit !== '') parts.push(part(LITERAL, lit));
    lit = '';
    parts.push(command(name, arg, max, bad));
    i += 1 + whole.length;
  }
  if (lit !== '' || parts.length === 0) parts.push(part(LITERAL, lit));
  return parts;
}

function command(
  name: string,
  arg: string | undefined,
  max: string | undefined,
  bad: (reason: string) => never,
): Part {
  const simple = SIMPLE[name];
  if (simple !== undefined && arg === undefined) return part(simple);
  if (name === 'HOSTNAME' && arg === undefined) return part(LITERAL, hostname());
  if (name === 'START_TIME') {
    // One strftime implementation for access logs and header values.
    const reason = arg === undefined ? null : validateTimeFormat(arg);
    if (reason !== null) bad(reason);
    return Object.freeze({
      kind: START_TIME,
      text: '',
      names: [],
      maxLength: -1,
      time: compileTimeFormat(arg ?? null),
    });
  }
  if ((name === 'REQ' || name === 'RESP') && arg !== undefined && arg !== '') {
    const names = arg.split('?').map((n) => n.trim().toLowerCase());
    return part(name === 'REQ' ? REQ : RESP, '', Object.freeze(names), max === undefined ? -1 : Number(max));
  }
  return bad(`unsupported substitution %${name}${arg === undefined ? '' : `(${arg})`}%`);
}
