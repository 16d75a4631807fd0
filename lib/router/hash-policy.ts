import { hashString } from '../cluster/lb/hash.js';
import type { LoadBalancerContext } from '../cluster/types.js';
import type { HashPolicyConfig, LbPolicy } from '../config/model.js';
import { firstQueryValue } from './query-matcher.js';
import { compileRe2, translateRe2Substitution } from './re2.js';

/**
 * What hash policies read from a request. The router's stream implements it; `all` must give
 * each line of a repeated header separately (cookies and multi-valued headers need that).
 */
export interface HashPolicyRequest {
  readonly path: string;
  /** Pseudo-headers (`:authority`, `:path`, …) and regular ones, comma-joined. */
  header(name: string): string | undefined;
  readonly requestHeaders: { all(name: string): string[] };
  /** `ip:port` of the downstream peer and of the local socket. */
  readonly downstreamRemoteAddress: string;
  readonly downstreamLocalAddress: string;
}

/** A load balancer context plus the `set-cookie` values the response must carry (or null). */
export interface RouteLbContext extends LoadBalancerContext {
  /** One entry per cookie policy that generated its cookie; null (not empty) when none did. */
  readonly setCookies: readonly string[] | null;
}

/** Shared by every request that has no hash: costs no allocation. */
export const NO_ROUTE_LB_CONTEXT: RouteLbContext = Object.freeze({
  hash: null,
  excluded: null,
  setCookies: null,
});

/** Envoy only computes a hash key for the hashing load balancers (computeHashKey is lazy). */
export function policyUsesHash(policy: LbPolicy): boolean {
  return policy === 'RING_HASH' || policy === 'MAGLEV';
}

// Second seed for the generated cookie value: two 32-bit halves make Envoy's 16 hex digits.
const COOKIE_SEED_HI = 0x5bd1e995;

const HEADER = 0;
const COOKIE = 1;
const SOURCE_IP = 2;
const QUERY = 3;
const FILTER_STATE = 4;

/** One compiled `hash_policy[]` entry; a fixed shape so `evaluate` stays monomorphic. */
class HashMethod {
  readonly kind: number;
  readonly terminal: boolean;
  /** Header name, cookie name or query parameter name. */
  readonly name: string;
  readonly pseudo: boolean;
  readonly rewrite: RegExp | null;
  readonly substitution: string;
  readonly ttlSeconds: number | null;
  /** Everything after the value in the generated Set-Cookie (`; Max-Age=…; Path=…; …; HttpOnly`). */
  readonly cookieSuffix: string;

  constructor(cfg: HashPolicyConfig, where: string) {
    this.terminal = cfg.terminal;
    this.kind =
      cfg.kind === 'header'
        ? HEADER
        : cfg.kind === 'cookie'
          ? COOKIE
          : cfg.kind === 'source_ip'
            ? SOURCE_IP
            : cfg.kind === 'query_parameter'
              ? QUERY
              : FILTER_STATE;
    this.name =
      cfg.kind === 'header'
        ? cfg.headerName
        : cfg.kind === 'cookie' || cfg.kind === 'query_parameter'
          ? cfg.name
          : '';
    this.pseudo = this.name.charCodeAt(0) === 58; /* ':' */
    const rx = cfg.kind === 'header' ? cfg.regexRewrite : null;
    const rxWhere = `${where}.header.regex_rewrite`;
    this.rewrite =
      rx === null ? null : compileRe2(rx.regex, `${rxWhere}.pattern`, { anchored: false, global: true });
    this.substitution =
      rx === null ? '' : translateRe2Substitution(rx.substitution, this.rewrite!, `${rxWhere}.substitution`);
    this.ttlSeconds = cfg.kind === 'cookie' ? cfg.ttlSeconds : null;
    this.cookieSuffix = cfg.kind === 'cookie' ? setCookieSuffix(cfg) : '';
    Object.freeze(this);
  }
}

/** Envoy's makeSetCookieValue after `name="value"`; HttpOnly is always set for generated cookies. */
function setCookieSuffix(cfg: Extract<HashPolicyConfig, { kind: 'cookie' }>): string {
  let s = '';
  if (cfg.ttlSeconds !== null && cfg.ttlSeconds !== 0) s += `; Max-Age=${cfg.ttlSeconds}`;
  if (cfg.path !== '') s += `; Path=${cfg.path}`;
  for (const a of cfg.attributes) s += a.value === '' ? `; ${a.name}` : `; ${a.name}=${a.value}`;
  return `${s}; HttpOnly`;
}

/**
 * A route's compiled `hash_policy[]` (Envoy's HashPolicyImpl): each method may yield a 32-bit
 * hash; hashes combine in order as rotl1(previous) ^ next, so repeating a method does not cancel
 * out, and a `terminal` method that produced a hash ends the walk. Hashing reuses the stable
 * string hash of the ring/maglev tables (not Envoy's xxHash64: values differ from Envoy's, but
 * every Skiff instance agrees, which is what affinity needs).
 */
export class CompiledHashPolicy {
  private readonly methods: readonly HashMethod[];

  constructor(cfgs: readonly HashPolicyConfig[], where: string) {
    this.methods = Object.freeze(cfgs.map((c, i) => new HashMethod(c, `${where}.hash_policy[${i}]`)));
    Object.freeze(this);
  }

  /** The request's hash (null when no method applied) and the cookie to set, if one was generated. */
  evaluate(req: HashPolicyRequest): RouteLbContext {
    let hash: number | null = null;
    let setCookies: string[] | null = null;
    const methods = this.methods;
    for (let i = 0; i < methods.length; i++) {
      const m = methods[i]!;
      let h: number | null = null;
      switch (m.kind) {
        case HEADER:
          h = headerHash(m, req);
          break;
        case COOKIE: {
          const value = cookieValue(req.requestHeaders.all('cookie'), m.name);
          if (value !== null && value !== '') h = hashString(value);
          else if (m.ttlSeconds !== null) {
            const generated = generatedCookieValue(req);
            // Envoy sends one Set-Cookie per generating policy.
            const line = `${m.name}="${generated}"${m.cookieSuffix}`;
            if (setCookies === null) setCookies = [line];
            else setCookies.push(line);
            h = hashString(generated);
          }
          break;
        }
        case SOURCE_IP: {
          const ip = remoteIp(req.downstreamRemoteAddress);
          if (ip !== '') h = hashString(ip);
          break;
        }
        case QUERY: {
          const v = firstQueryValue(req.path, m.name);
          if (v !== undefined) h = hashString(v);
          break;
        }
        default:
          // filter_state: Skiff sets no filter state objects, so there is never a value.
          break;
      }
      if (h !== null) hash = hash === null ? h : (((hash << 1) | (hash >>> 31)) ^ h) >>> 0;
      if (m.terminal && hash !== null) break;
    }
    if (hash === null && setCookies === null) return NO_ROUTE_LB_CONTEXT;
    return { hash, excluded: null, setCookies };
  }
}

function headerHash(m: HashMethod, req: HashPolicyRequest): number | null {
  if (m.pseudo) {
    const v = req.header(m.name);
    return v === undefined ? null : hashString(rewrite(m, v));
  }
  const values = req.requestHeaders.all(m.name);
  if (values.length === 0) return null;
  if (values.length === 1) return hashString(rewrite(m, values[0]!));
  // Envoy sorts the (rewritten) values so their order does not matter, then chains the hash.
  const sorted = values.map((v) => rewrite(m, v)).sort();
  let h = 0;
  for (const v of sorted) h = hashString(v, h);
  return h;
}

function rewrite(m: HashMethod, v: string): string {
  return m.rewrite === null ? v : v.replace(m.rewrite, m.substitution);
}

/**
 * Envoy's parseCookieValue: the first `name=value` pair across every Cookie line, pairs split on
 * `;`, leading spaces skipped, surrounding double quotes removed. Null when absent.
 */
export function cookieValue(lines: readonly string[], name: string): string | null {
  for (const line of lines) {
    let start = 0;
    while (start <= line.length) {
      let end = line.indexOf(';', start);
      if (end === -1) end = line.length;
      let k = start;
      while (k < end && line.charCodeAt(k) === 32) k++;
      const eq = line.indexOf('=', k);
      if (eq !== -1 && eq < end && eq - k === name.length && line.startsWith(name, k)) {
        let vs = eq + 1;
        let ve = end;
        if (ve - vs >= 2 && line.charCodeAt(vs) === 34 && line.charCodeAt(ve - 1) === 34) {
          vs++;
          ve--;
        }
        return line.slice(vs, ve);
      }
      start = end + 1;
    }
  }
  return null;
}

/**
 * Envoy derives the generated value from the connection's remote and local addresses, so streams
 * racing on one connection get the same cookie; 16 lower-case hex digits as Hex::uint64ToHex.
 */
function generatedCookieValue(req: HashPolicyRequest): string {
  const seed = req.downstreamRemoteAddress + req.downstreamLocalAddress;
  return hex8(hashString(seed, COOKIE_SEED_HI)) + hex8(hashString(seed));
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The IP of an `ip:port` string (IPv6 unbracketed, as Node reports it); "" when unknown. */
function remoteIp(address: string): string {
  const colon = address.lastIndexOf(':');
  const ip = colon === -1 ? address : address.slice(0, colon);
  return ip === 'undefined' ? '' : ip;
}
