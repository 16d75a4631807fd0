import type { AccessLogConfig } from '../config/model.js';
import { compileJsonFormat, compileTextFormat, DEFAULT_FORMAT, type LineFormatter } from './formatter.js';
import type { AccessLogRecord } from './record.js';
import type { AccessLogSink, AccessLogSinks } from './sink.js';

/** Writes one record to every configured log; `release()` gives the shared sinks back. */
export interface AccessLogger {
  (r: AccessLogRecord): void;
  release(): Promise<void>;
}

/**
 * Compiles the formats and acquires the sinks of one access_log list. Returns null when the
 * list is empty, so the connection manager skips logging with one null check.
 * Throws SKIFF_ERR_CONFIG when a file cannot be opened (sinks acquired so far are released).
 */
export function createAccessLogger(
  cfgs: readonly AccessLogConfig[],
  sinks: AccessLogSinks,
): AccessLogger | null {
  if (cfgs.length === 0) return null;
  const formats: LineFormatter[] = cfgs.map((c) =>
    c.jsonFormat !== null
      ? compileJsonFormat(c.jsonFormat)
      : compileTextFormat(c.textFormat ?? DEFAULT_FORMAT),
  );
  const outs: AccessLogSink[] = [];
  try {
    for (const c of cfgs) outs.push(sinks.acquire(c.path));
  } catch (err) {
    for (let i = 0; i < outs.length; i++) void sinks.release(cfgs[i]!.path);
    throw err;
  }
  let released = false;
  const write = (r: AccessLogRecord): void => {
    for (let i = 0; i < outs.length; i++) outs[i]!.write(formats[i]!(r));
  };
  const log: AccessLogger = Object.assign(write, {
    release: async (): Promise<void> => {
      if (released) return;
      released = true;
      await Promise.all(cfgs.map((c) => sinks.release(c.path)));
    },
  });
  return log;
}
