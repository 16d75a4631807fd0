import type { HeaderAppendAction, HeaderMutations, HeaderValueOption } from '../model.js';
import { addIssue, type FieldReader, type IssueSink } from '../reader.js';
import { HEADER_VALUE_OPTION_RULES, HEADER_VALUE_RULES } from './field-rules.js';

const APPEND_ACTIONS: readonly HeaderAppendAction[] = [
  'APPEND_IF_EXISTS_OR_ADD',
  'ADD_IF_ABSENT',
  'OVERWRITE_IF_EXISTS_OR_ADD',
  'OVERWRITE_IF_EXISTS',
];

// RFC 9110 token characters.
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$/;

export const NO_HEADER_MUTATIONS: HeaderMutations = {
  requestHeadersToAdd: [],
  requestHeadersToRemove: [],
  responseHeadersToAdd: [],
  responseHeadersToRemove: [],
};

/** Reads the four `*_headers_to_add/remove` fields present on route configs, vhosts, routes, clusters. */
export function readHeaderMutations(r: FieldReader): HeaderMutations {
  return {
    requestHeadersToAdd: readAdds(r, 'request_headers_to_add'),
    requestHeadersToRemove: readRemoves(r, 'request_headers_to_remove'),
    responseHeadersToAdd: readAdds(r, 'response_headers_to_add'),
    responseHeadersToRemove: readRemoves(r, 'response_headers_to_remove'),
  };
}

// Envoy refuses to let config touch pseudo-headers or Host through these lists.
function modifiable(name: string): boolean {
  return !name.startsWith(':') && name !== 'host';
}

/** One `*_headers_to_add` list (also used by `http_health_check`). */
export function readAdds(r: FieldReader, field: string): HeaderValueOption[] {
  const out: HeaderValueOption[] = [];
  for (const o of r.objects(field)) {
    const h = o.requiredObject('header');
    const append = o.bool('append');
    let action = o.enumValue('append_action', APPEND_ACTIONS);
    if (append !== undefined && o.has('append_action')) {
      o.error(null, 'append and append_action cannot both be set');
    } else if (append !== undefined) {
      action = append ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD';
    }
    const keepEmptyValue = o.bool('keep_empty_value') ?? false;
    o.finish(HEADER_VALUE_OPTION_RULES);
    if (h === undefined) continue;
    const key = h.requiredString('key').toLowerCase();
    const value = h.string('value') ?? '';
    h.finish(HEADER_VALUE_RULES);
    if (key === '') continue;
    if (!TOKEN_RE.test(key.startsWith(':') ? key.slice(1) : key)) {
      h.error('key', `invalid header name "${key}"`);
    } else if (!modifiable(key)) {
      h.error('key', `:-prefixed or host headers may not be modified ("${key}")`);
    }
    if (/[\r\n\0]/.test(value)) h.error('value', 'header value must not contain CR, LF or NUL');
    out.push({ key, value, appendAction: action ?? 'APPEND_IF_EXISTS_OR_ADD', keepEmptyValue });
  }
  return out;
}

/** One `*_headers_to_remove` list. */
export function readRemoves(r: FieldReader, field: string): string[] {
  const out: string[] = [];
  const sink: IssueSink = r.sink;
  r.list(field).forEach((e) => {
    if (typeof e.value !== 'string' || e.value === '') {
      addIssue(sink, e.path, 'expected a non-empty header name');
      return;
    }
    const name = e.value.toLowerCase();
    if (!modifiable(name))
      addIssue(sink, e.path, `:-prefixed or host headers may not be removed ("${name}")`);
    else if (!TOKEN_RE.test(name)) addIssue(sink, e.path, `invalid header name "${name}"`);
    out.push(name);
  });
  return out;
}
