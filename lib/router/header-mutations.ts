import type { HeaderMutations, HeaderValueOption } from '../config/model.js';
import { HeaderValueFormatter } from './header-value-format.js';
import type { HeaderReader, HeaderValueContext, MutableHeaders } from './types.js';

const APPEND_IF_EXISTS_OR_ADD = 0;
const ADD_IF_ABSENT = 1;
const OVERWRITE_IF_EXISTS_OR_ADD = 2;
const OVERWRITE_IF_EXISTS = 3;

const SKIP = 0;
const ADD = 1;
const SET = 2;

function actionCode(a: HeaderValueOption['appendAction']): number {
  switch (a) {
    case 'APPEND_IF_EXISTS_OR_ADD':
      return APPEND_IF_EXISTS_OR_ADD;
    case 'ADD_IF_ABSENT':
      return ADD_IF_ABSENT;
    case 'OVERWRITE_IF_EXISTS_OR_ADD':
      return OVERWRITE_IF_EXISTS_OR_ADD;
    default:
      return OVERWRITE_IF_EXISTS;
  }
}

/**
 * One level's `*_headers_to_remove` + `*_headers_to_add`, applied as Envoy's
 * HeaderParser::evaluateHeaders does: removals first; then every value is formatted and every
 * append-action condition is decided against the headers as they stand, before any add of this
 * level; then all overwrites, then all appends. The scratch arrays make that two-phase apply
 * allocation-free; `apply` is synchronous and never re-entered, so sharing them is safe.
 */
class MutationLevel {
  private readonly removes: readonly string[];
  private readonly keys: readonly string[];
  private readonly formatters: readonly HeaderValueFormatter[];
  private readonly actions: Uint8Array;
  private readonly keepEmpty: readonly boolean[];
  private readonly values: string[];
  private readonly modes: Uint8Array;

  constructor(adds: readonly HeaderValueOption[], removes: readonly string[], where: string) {
    const kept = adds
      .map((o, i) => ({ o, f: new HeaderValueFormatter(o.value, `${where}_to_add[${i}]`) }))
      // A constant empty value without keep_empty_value is never added: drop it now.
      .filter(({ o, f }) => !(f.constant === '' && !o.keepEmptyValue));
    this.removes = Object.freeze(removes.map((r) => r.toLowerCase()));
    this.keys = Object.freeze(kept.map(({ o }) => o.key.toLowerCase()));
    this.formatters = Object.freeze(kept.map(({ f }) => f));
    this.actions = Uint8Array.from(kept.map(({ o }) => actionCode(o.appendAction)));
    this.keepEmpty = Object.freeze(kept.map(({ o }) => o.keepEmptyValue));
    this.values = new Array<string>(kept.length).fill('');
    this.modes = new Uint8Array(kept.length);
    Object.freeze(this);
  }

  get empty(): boolean {
    return this.removes.length === 0 && this.keys.length === 0;
  }

  apply(
    h: MutableHeaders,
    req: HeaderReader | null | undefined,
    resp: HeaderReader | null,
    ctx: HeaderValueContext,
  ): void {
    for (const name of this.removes) h.remove(name);
    const { keys, values, modes, actions } = this;
    const n = keys.length;
    for (let i = 0; i < n; i++) {
      const value = this.formatters[i]!.format(req, resp, ctx);
      let mode = SKIP;
      if (value !== '' || this.keepEmpty[i]) {
        switch (actions[i]) {
          case APPEND_IF_EXISTS_OR_ADD:
            mode = ADD;
            break;
          case ADD_IF_ABSENT:
            mode = h.get(keys[i]!) === undefined ? ADD : SKIP;
            break;
          case OVERWRITE_IF_EXISTS_OR_ADD:
            mode = SET;
            break;
          default:
            mode = h.get(keys[i]!) === undefined ? SKIP : SET;
        }
      }
      values[i] = value;
      modes[i] = mode;
    }
    for (let i = 0; i < n; i++) if (modes[i] === SET) h.set(keys[i]!, values[i]!);
    for (let i = 0; i < n; i++) if (modes[i] === ADD) h.add(keys[i]!, values[i]!);
  }
}

/**
 * Header mutations of several levels, in application order. The route table builds one per
 * (route, weighted cluster) at compile time, in Envoy's default order: weighted cluster → route →
 * virtual host → route configuration (most specific first, so a less specific level's overwrite
 * wins; Envoy's `most_specific_header_mutations_wins` is not in the model).
 */
export class CompiledHeaderMutations {
  readonly hasRequest: boolean;
  readonly hasResponse: boolean;
  private readonly request: readonly MutationLevel[];
  private readonly response: readonly MutationLevel[];

  constructor(request: readonly MutationLevel[], response: readonly MutationLevel[]) {
    this.request = Object.freeze(request);
    this.response = Object.freeze(response);
    this.hasRequest = request.length > 0;
    this.hasResponse = response.length > 0;
    Object.freeze(this);
  }

  /** Request side: `%REQ(…)%` reads `h` itself, as Envoy does. */
  applyRequest(h: MutableHeaders, ctx: HeaderValueContext): void {
    for (const level of this.request) level.apply(h, h, null, ctx);
  }

  /** Response side: `%REQ(…)%` reads `ctx.requestHeaders`, `%RESP(…)%` reads `h`. */
  applyResponse(h: MutableHeaders, ctx: HeaderValueContext): void {
    for (const level of this.response) level.apply(h, ctx.requestHeaders, h, ctx);
  }
}

interface LevelPair {
  readonly request: MutationLevel | null;
  readonly response: MutationLevel | null;
}

/** Compiles levels once each (a vhost's mutations are shared by all its routes' combinations). */
export class HeaderMutationCompiler {
  private readonly cache = new Map<HeaderMutations, LevelPair>();

  /** `where[i]` names level i in config errors. Null when no level mutates anything. */
  compile(levels: readonly HeaderMutations[], where: readonly string[] = []): CompiledHeaderMutations | null {
    const request: MutationLevel[] = [];
    const response: MutationLevel[] = [];
    levels.forEach((m, i) => {
      const pair = this.level(m, where[i] ?? `headers[${i}]`);
      if (pair.request !== null) request.push(pair.request);
      if (pair.response !== null) response.push(pair.response);
    });
    return request.length === 0 && response.length === 0
      ? null
      : new CompiledHeaderMutations(request, response);
  }

  private level(m: HeaderMutations, where: string): LevelPair {
    let pair = this.cache.get(m);
    if (pair === undefined) {
      const req = new MutationLevel(
        m.requestHeadersToAdd,
        m.requestHeadersToRemove,
        `${where}.request_headers`,
      );
      const resp = new MutationLevel(
        m.responseHeadersToAdd,
        m.responseHeadersToRemove,
        `${where}.response_headers`,
      );
      pair = { request: req.empty ? null : req, response: resp.empty ? null : resp };
      this.cache.set(m, pair);
    }
    return pair;
  }
}

/** Compiles levels given most specific first (Envoy's default order). Null when all are empty. */
export function compileHeaderMutations(levels: readonly HeaderMutations[]): CompiledHeaderMutations | null {
  return new HeaderMutationCompiler().compile(levels);
}
