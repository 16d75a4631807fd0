/**
 * Pieces both TLS contexts (DownstreamTlsContext, UpstreamTlsContext) read the same way: a
 * certificate `DataSource` (only `filename`: certificates are files, watched or re-read) and the
 * `match_typed_subject_alt_names` list.
 */
import type { SanMatcherConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { SAN_MATCHER_RULES, TLS_DATA_SOURCE_RULES } from './field-rules.js';
import { readStringMatcher } from './matchers.js';

/** The path of a `DataSource`; undefined (issue recorded) when it is not a non-empty `filename`. */
export function readFileDataSource(r: FieldReader): string | undefined {
  const given = r.names().some((n) => n in (TLS_DATA_SOURCE_RULES.unsupported ?? {}));
  if (!r.has('filename') && !given) r.error(null, 'missing required field "filename"');
  const path = r.string('filename');
  r.finish(TLS_DATA_SOURCE_RULES);
  if (path === '') r.error('filename', 'must not be empty');
  return path === undefined || path === '' ? undefined : path;
}

type SanType = SanMatcherConfig['sanType'];

/**
 * `match_typed_subject_alt_names[]` with the SAN types this side enforces (`refused` are Envoy's
 * other types, rejected as not supported); `ok` is false when an entry was unusable.
 */
export function readSanMatchers(
  r: FieldReader,
  types: readonly SanType[],
  refused: readonly string[],
): { readonly matchers: SanMatcherConfig[]; readonly ok: boolean } {
  const matchers: SanMatcherConfig[] = [];
  let ok = true;
  for (const m of r.objects('match_typed_subject_alt_names')) {
    const sanType = m.enumValue('san_type', types, refused);
    if (!m.has('san_type')) m.error(null, 'missing required field "san_type"');
    const mo = m.requiredObject('matcher');
    const matcher = mo === undefined ? undefined : readStringMatcher(mo);
    m.finish(SAN_MATCHER_RULES);
    if (sanType === undefined || matcher === undefined) ok = false;
    else matchers.push({ sanType, matcher });
  }
  return { matchers, ok };
}
