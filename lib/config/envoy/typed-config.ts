import { FieldReader } from '../reader.js';

const TYPED_STRUCTS = new Set([
  'type.googleapis.com/udpa.type.v1.TypedStruct',
  'type.googleapis.com/xds.type.v3.TypedStruct',
]);

/** An `Any` (`typed_config`): its type URL and a reader over the message fields. */
export interface TypedConfig {
  readonly typeUrl: string;
  readonly reader: FieldReader;
}

/**
 * Reads an `Any` field. `TypedStruct` wrappers ({type_url, value}) are unwrapped as Envoy does.
 * Returns undefined when absent or malformed (malformed is reported).
 */
export function readTypedConfig(r: FieldReader, name = 'typed_config'): TypedConfig | undefined {
  const any = r.object(name);
  if (any === undefined) return undefined;
  if (!any.has('@type')) {
    any.error(null, 'missing required field "@type"');
    return undefined;
  }
  const typeUrl = any.string('@type');
  if (typeUrl === undefined) return undefined;
  if (!TYPED_STRUCTS.has(typeUrl)) return { typeUrl, reader: any };
  const inner = any.requiredString('type_url');
  const value = any.object('value') ?? new FieldReader(r.sink, any.at('value'), {});
  any.finish();
  const url = inner.includes('/') ? inner : `type.googleapis.com/${inner}`;
  return { typeUrl: url, reader: value };
}

/** Checks a typed_config's `@type`; reports a mismatch and returns false. */
export function expectType(tc: TypedConfig, r: FieldReader, name: string, expected: string): boolean {
  if (tc.typeUrl === expected) return true;
  r.error(name, `unexpected @type "${tc.typeUrl}"; expected "${expected}"`);
  return false;
}
