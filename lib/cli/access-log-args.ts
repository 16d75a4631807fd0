/**
 * `--access-log FILE|-` and `--access-log-format text|json|FORMAT`: Istio's meshConfig
 * `accessLogFile` / `accessLogEncoding` / `accessLogFormat` for sidecar mode. Off by default,
 * as in Istio's default profile.
 */
import { validateJsonFormat, validateTextFormat } from '../accesslog/formatter.js';
import { ISTIO_JSON_FORMAT, ISTIO_TEXT_FORMAT } from '../accesslog/istio-formats.js';
import type { AccessLogConfig } from '../config/model.js';
import { usage } from './args.js';

type Values = Readonly<Record<string, string | undefined>>;

/** The name istiod gives the access log it writes on every HCM. */
const LOGGER_NAME = 'envoy.access_loggers.file';

function customFormat(raw: string): Pick<AccessLogConfig, 'textFormat' | 'jsonFormat'> {
  // Istio's accessLogFormat is a JSON object when the encoding is JSON; accept that spelling.
  if (raw.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      usage(`--access-log-format: not a valid JSON object: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      usage('--access-log-format: expected a JSON object of key → format string');
    }
    const obj = parsed as Record<string, unknown>;
    const bad = validateJsonFormat(obj);
    if (bad !== null) usage(`--access-log-format: ${bad}`);
    return { textFormat: null, jsonFormat: obj };
  }
  const bad = validateTextFormat(raw);
  if (bad !== null) usage(`--access-log-format: ${bad}`);
  // Envoy writes text lines as given; a format without a newline would run lines together.
  return { textFormat: raw.endsWith('\n') ? raw : `${raw}\n`, jsonFormat: null };
}

/** The sidecar's access log from the flags, or null when `--access-log` is absent. */
export function accessLogFrom(values: Values): AccessLogConfig | null {
  const file = values['access-log'];
  const format = values['access-log-format'];
  if (file === undefined) {
    if (format !== undefined) usage('--access-log-format needs --access-log FILE (or - for stdout)');
    return null;
  }
  if (file === '') usage('--access-log: expected a file path, or - for stdout');
  const path = file === '-' ? '/dev/stdout' : file;
  const chosen =
    format === undefined || format === 'text'
      ? { textFormat: ISTIO_TEXT_FORMAT, jsonFormat: null }
      : format === 'json'
        ? { textFormat: null, jsonFormat: ISTIO_JSON_FORMAT }
        : customFormat(format);
  return { name: LOGGER_NAME, path, ...chosen };
}
