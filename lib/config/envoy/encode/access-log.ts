/** `access_log[]` entries (HCM and admin). */
import type { AccessLogConfig } from '../../model.js';
import type { Json } from './format.js';
import { TYPE } from './type-urls.js';

/**
 * One AccessLog. `/dev/stdout` and `/dev/stderr` use the stream loggers (as Istio writes them);
 * any other path a FileAccessLog. The format goes in `log_format` (the non-deprecated spelling).
 */
export function encodeAccessLog(a: AccessLogConfig): Json {
  const logFormat =
    a.jsonFormat !== null
      ? { log_format: { json_format: a.jsonFormat } }
      : a.textFormat !== null
        ? { log_format: { text_format: a.textFormat } }
        : {};
  const typed =
    a.path === '/dev/stdout'
      ? { '@type': TYPE.stdoutAccessLog }
      : a.path === '/dev/stderr'
        ? { '@type': TYPE.stderrAccessLog }
        : { '@type': TYPE.fileAccessLog, path: a.path };
  return { name: a.name, typed_config: { ...typed, ...logFormat } };
}

export function encodeAccessLogs(list: readonly AccessLogConfig[]): Json[] | undefined {
  return list.length === 0 ? undefined : list.map(encodeAccessLog);
}
