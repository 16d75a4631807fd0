/** `HTTPMatchRequest` and the header operations (`Headers`) of a VirtualService route. */
import type { FieldReader } from '../reader.js';
import {
  labelsField,
  portField,
  type StringMatchWhere,
  stringMap,
  stringMatchField,
  stringMatchMap,
} from './istio-common.js';
import type { HeaderOperations, HeadersPolicy, HttpMatchRequest } from './model.js';
import { gatewayNameProblem, isDns1123Label, isHeaderName, isJwtClaimKey } from './names.js';

/** `meshBound`: the VirtualService applies to sidecars, where JWT claim routing is not available. */
export function readHttpMatch(r: FieldReader, meshBound: boolean): HttpMatchRequest {
  const headerKey = (key: string): string | null => {
    if (isJwtClaimKey(key)) {
      return meshBound ? `JWT claim based routing (${key}) is only supported for gateways` : null;
    }
    return isHeaderName(key) ? null : `header name "${key}" is not a valid header name`;
  };
  const map = (name: string, where: StringMatchWhere, check: (k: string) => string | null) =>
    stringMatchMap(r, name, where, check);
  const sourceNamespace = r.string('sourceNamespace') ?? '';
  if (sourceNamespace !== '' && !isDns1123Label(sourceNamespace)) {
    r.error('sourceNamespace', `invalid namespace "${sourceNamespace}"`);
  }
  const out: HttpMatchRequest = {
    name: r.string('name') ?? '',
    uri: stringMatchField(r, 'uri', 'uri'),
    scheme: stringMatchField(r, 'scheme'),
    method: stringMatchField(r, 'method'),
    authority: stringMatchField(r, 'authority'),
    headers: map('headers', 'other', headerKey),
    withoutHeaders: map('withoutHeaders', 'withoutHeaders', headerKey),
    queryParams: map('queryParams', 'other', () => null),
    port: portField(r, 'port'),
    ignoreUriCase: r.bool('ignoreUriCase') ?? false,
    sourceLabels: labelsField(r, 'sourceLabels'),
    sourceNamespace,
    gateways: gatewaysField(r, 'gateways'),
    statPrefix: r.string('statPrefix') ?? '',
  };
  r.finish();
  return out;
}

/** A list of gateway references, each checked. */
export function gatewaysField(r: FieldReader, name: string): string[] {
  const list = r.strings(name);
  for (const g of list) {
    const problem = gatewayNameProblem(g);
    if (problem !== null) r.error(name, problem);
  }
  return list;
}

const EMPTY_OPS: HeaderOperations = { set: {}, add: {}, remove: [] };

/** Control characters other than tab cannot go on the wire. */
function hasControlChars(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

function readOperations(r: FieldReader, request: boolean): HeaderOperations {
  const checkName = (name: string): string | null => {
    if (name === '') return 'header name cannot be empty';
    const lower = name.toLowerCase();
    const authority = lower === ':authority' || lower === 'host';
    if (request && authority) return null;
    if (lower === 'host') return 'cannot set the Host header';
    if (name.startsWith(':')) return `invalid header "${name}": header cannot have ":" prefix`;
    return null;
  };
  const checkPair = (name: string, value: string): string | null =>
    checkName(name) ??
    (hasControlChars(value) ? `header value of "${name}" contains control characters` : null);
  const set = stringMap(r, 'set', checkPair);
  const add = stringMap(r, 'add', checkPair);
  const remove = r.strings('remove');
  for (const name of remove) {
    const lower = name.toLowerCase();
    const reason = lower === 'host' || name.startsWith(':') ? `cannot remove "${name}"` : checkName(name);
    if (reason !== null) r.error('remove', reason);
  }
  r.finish();
  return { set, add, remove };
}

/** `Headers {request, response}`; null when absent. */
export function headersField(r: FieldReader, name: string): HeadersPolicy | null {
  const h = r.object(name);
  if (h === undefined) return null;
  const req = h.object('request');
  const res = h.object('response');
  const out = {
    request: req === undefined ? EMPTY_OPS : readOperations(req, true),
    response: res === undefined ? EMPTY_OPS : readOperations(res, false),
  };
  h.finish();
  return out;
}

/** The authority a route's request headers set (`:authority` or `host`), if any, with its count. */
export function authoritySets(h: HeadersPolicy | null): number {
  if (h === null) return 0;
  const isAuth = (k: string) => k.toLowerCase() === ':authority' || k.toLowerCase() === 'host';
  return Object.keys(h.request.set).filter(isAuth).length + Object.keys(h.request.add).filter(isAuth).length;
}
