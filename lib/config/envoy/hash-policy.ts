import type { HashPolicyConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import {
  CONNECTION_PROPERTIES_RULES,
  COOKIE_ATTRIBUTE_RULES,
  HASH_COOKIE_RULES,
  HASH_FILTER_STATE_RULES,
  HASH_HEADER_RULES,
  HASH_POLICY_RULES,
  HASH_QUERY_PARAMETER_RULES,
} from './field-rules.js';
import { readRegexRewrite } from './route-action.js';

const SPECIFIERS = ['header', 'cookie', 'connection_properties', 'query_parameter', 'filter_state'] as const;

/** Envoy's non-strict HTTP_HEADER_NAME / HTTP_HEADER_VALUE rules: no NUL, CR or LF. */
function notHeaderSafe(s: string): boolean {
  return s.includes('\0') || s.includes('\r') || s.includes('\n');
}

/**
 * The cookie pieces end up in a Set-Cookie value, which Node refuses to send with control
 * characters (tab aside); reject them at load rather than failing the response.
 */
function hasControl(s: string, allowTab = true): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !(allowTab && c === 9)) || c === 0x7f) return true;
  }
  return false;
}

/** Attribute names are written as `; name=value`: separators would change the cookie's meaning. */
function notAttributeName(s: string): boolean {
  return hasControl(s, false) || s.includes(' ') || s.includes(';') || s.includes('=');
}

/** Decodes `route.hash_policy[]`; entries with issues are dropped (the issues are recorded). */
export function readHashPolicies(r: FieldReader): HashPolicyConfig[] {
  const out: HashPolicyConfig[] = [];
  for (const p of r.objects('hash_policy')) {
    const decoded = readHashPolicy(p);
    if (decoded !== undefined) out.push(decoded);
  }
  return out;
}

function readHashPolicy(p: FieldReader): HashPolicyConfig | undefined {
  const which = p.oneOf(SPECIFIERS, true);
  const terminal = p.bool('terminal') ?? false;
  let out: HashPolicyConfig | undefined;
  const o = which === undefined ? undefined : p.object(which);
  if (o !== undefined) {
    switch (which) {
      case 'header':
        out = readHeader(o, terminal);
        break;
      case 'cookie':
        out = readCookie(o, terminal);
        break;
      case 'connection_properties':
        out = readConnectionProperties(o, terminal);
        break;
      case 'query_parameter': {
        const name = o.requiredString('name');
        o.finish(HASH_QUERY_PARAMETER_RULES);
        if (name !== '') out = { kind: 'query_parameter', name, terminal };
        break;
      }
      case 'filter_state': {
        const key = o.requiredString('key');
        o.finish(HASH_FILTER_STATE_RULES);
        if (key !== '') {
          o.warn(
            'key',
            'Skiff sets no filter state objects: this hash policy never yields a hash (as in Envoy when the key is absent)',
          );
          out = { kind: 'filter_state', key, terminal };
        }
        break;
      }
    }
  }
  p.finish(HASH_POLICY_RULES);
  return out;
}

function readHeader(o: FieldReader, terminal: boolean): HashPolicyConfig | undefined {
  const name = o.requiredString('header_name');
  if (notHeaderSafe(name)) o.error('header_name', 'must not contain NUL, CR or LF');
  const regexRewrite = readRegexRewrite(o);
  o.finish(HASH_HEADER_RULES);
  if (name === '') return undefined;
  return { kind: 'header', headerName: name.toLowerCase(), regexRewrite, terminal };
}

function readCookie(o: FieldReader, terminal: boolean): HashPolicyConfig | undefined {
  const name = o.requiredString('name');
  if (name.includes('=') || name.includes(';') || hasControl(name)) {
    o.error('name', 'a cookie name must not contain "=", ";" or control characters');
  }
  const ttlMs = o.duration('ttl');
  const path = o.string('path') ?? '';
  if (path.includes(';') || hasControl(path)) {
    o.error('path', 'must not contain ";" or control characters');
  }
  const attributes: { name: string; value: string }[] = [];
  for (const a of o.objects('attributes')) {
    const an = a.requiredString('name');
    if (notAttributeName(an)) a.error('name', 'must not contain spaces, "=", ";" or control characters');
    const av = a.string('value') ?? '';
    if (av.includes(';') || hasControl(av)) {
      a.error('value', 'must not contain ";" or control characters');
    }
    a.finish(COOKIE_ATTRIBUTE_RULES);
    attributes.push({ name: an, value: av });
  }
  o.finish(HASH_COOKIE_RULES);
  if (name === '') return undefined;
  // Envoy keeps whole seconds of the ttl (Duration.seconds()).
  const ttlSeconds = ttlMs === undefined ? null : Math.floor(ttlMs / 1000);
  return { kind: 'cookie', name, ttlSeconds, path, attributes, terminal };
}

function readConnectionProperties(o: FieldReader, terminal: boolean): HashPolicyConfig | undefined {
  const sourceIp = o.bool('source_ip') ?? false;
  o.finish(CONNECTION_PROPERTIES_RULES);
  // Envoy adds no hash method for `source_ip: false`.
  return sourceIp ? { kind: 'source_ip', terminal } : undefined;
}
