/** Skiff's own diagnostic log (not the access log): leveled lines on stderr. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'off';

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, off: 5 };
export const LOG_LEVELS = Object.keys(ORDER) as LogLevel[];

export interface Logger {
  level: LogLevel;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function isLogLevel(v: string): v is LogLevel {
  return Object.hasOwn(ORDER, v);
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const logger: Logger = {
    level,
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
  function emit(lvl: LogLevel, msg: string): void {
    if (ORDER[lvl] < ORDER[logger.level]) return;
    write(`[${new Date().toISOString()}][${lvl}] ${msg}\n`);
  }
  return logger;
}
