import { validateJsonFormat, validateTextFormat } from '../../accesslog/formatter.js';
import type { AccessLogConfig } from '../model.js';
import { type FieldReader, isPlainObject } from '../reader.js';
import {
  ACCESS_LOG_RULES,
  DATA_SOURCE_RULES,
  FILE_ACCESS_LOG_RULES,
  LOG_FORMAT_RULES,
} from './field-rules.js';
import { readTypedConfig } from './typed-config.js';

const TYPES = 'type.googleapis.com/envoy.extensions.access_loggers.';
const FILE_TYPE = `${TYPES}file.v3.FileAccessLog`;
const STDOUT_TYPE = `${TYPES}stream.v3.StdoutAccessLog`;
const STDERR_TYPE = `${TYPES}stream.v3.StderrAccessLog`;
const BY_NAME: Readonly<Record<string, string>> = {
  'envoy.access_loggers.file': FILE_TYPE,
  'envoy.file_access_log': FILE_TYPE,
  'envoy.access_loggers.stdout': STDOUT_TYPE,
  'envoy.access_loggers.stderr': STDERR_TYPE,
};

interface Format {
  textFormat: string | null;
  jsonFormat: Readonly<Record<string, unknown>> | null;
}

/** Decodes `access_log[]` (HCM or admin). */
export function readAccessLogs(r: FieldReader, field: string): AccessLogConfig[] {
  const out: AccessLogConfig[] = [];
  for (const a of r.objects(field)) {
    const log = readAccessLog(a);
    if (log !== undefined) out.push(log);
  }
  return out;
}

function readAccessLog(r: FieldReader): AccessLogConfig | undefined {
  const name = r.string('name') ?? '';
  const tc = readTypedConfig(r);
  r.finish(ACCESS_LOG_RULES);
  if (tc === undefined) {
    if (!r.has('typed_config')) r.error(null, 'missing required field "typed_config"');
    return undefined;
  }
  // Newer Envoy picks the extension by its type URL; the name is only a label.
  const type = tc.typeUrl;
  const c = tc.reader;
  if (type !== FILE_TYPE && type !== STDOUT_TYPE && type !== STDERR_TYPE) {
    const hint = BY_NAME[name] === undefined ? '' : ` (for ${name} use "${BY_NAME[name]}")`;
    r.error(
      'typed_config',
      `access logger type "${type}" is not supported${hint}; supported: file, stdout, stderr`,
    );
    return undefined;
  }
  let path = type === STDOUT_TYPE ? '/dev/stdout' : '/dev/stderr';
  let format: Format = { textFormat: null, jsonFormat: null };
  if (type === FILE_TYPE) {
    path = c.requiredString('path');
    const which = c.oneOf(['format', 'json_format', 'log_format'], false);
    if (which === 'format') format = text(c, 'format', c.string('format'));
    else if (which === 'json_format') format = json(c, 'json_format');
    else if (which === 'log_format') format = readLogFormat(c.object('log_format'));
    c.finish(FILE_ACCESS_LOG_RULES);
  } else {
    if (c.has('log_format')) format = readLogFormat(c.object('log_format'));
    c.finish();
  }
  return { name: name === '' ? defaultName(type) : name, path, ...format };
}

function defaultName(type: string): string {
  if (type === FILE_TYPE) return 'envoy.access_loggers.file';
  return type === STDOUT_TYPE ? 'envoy.access_loggers.stdout' : 'envoy.access_loggers.stderr';
}

/** `SubstitutionFormatString`. */
function readLogFormat(r: FieldReader | undefined): Format {
  if (r === undefined) return { textFormat: null, jsonFormat: null };
  const which = r.oneOf(['text_format', 'json_format', 'text_format_source'], true);
  let format: Format = { textFormat: null, jsonFormat: null };
  if (which === 'text_format') format = text(r, 'text_format', r.string('text_format'));
  else if (which === 'json_format') format = json(r, 'json_format');
  else if (which === 'text_format_source') {
    const src = r.object('text_format_source');
    if (src !== undefined) {
      const kind = src.oneOf(['inline_string', 'inline_bytes', 'filename', 'environment_variable'], true);
      if (kind === 'inline_string') format = text(src, 'inline_string', src.string('inline_string'));
      else if (kind === 'inline_bytes') {
        const b = src.string('inline_bytes');
        if (b !== undefined) format = text(src, 'inline_bytes', Buffer.from(b, 'base64').toString('utf8'));
      }
      src.finish(DATA_SOURCE_RULES);
    }
  }
  r.finish(LOG_FORMAT_RULES);
  return format;
}

function text(r: FieldReader, field: string, value: string | undefined): Format {
  if (value === undefined) return { textFormat: null, jsonFormat: null };
  const bad = validateTextFormat(value);
  if (bad !== null) r.error(field, bad);
  return { textFormat: value, jsonFormat: null };
}

function json(r: FieldReader, field: string): Format {
  const v = r.raw(field);
  if (!isPlainObject(v)) {
    r.error(field, 'expected an object mapping keys to format strings');
    return { textFormat: null, jsonFormat: null };
  }
  const bad = validateJsonFormat(v);
  if (bad !== null) r.error(field, bad);
  return { textFormat: null, jsonFormat: v };
}
