import { parseArgs } from 'node:util';
import { SkiffError } from '../errors.js';
import { isLogLevel, type LogLevel } from '../util/logger.js';

/** A decimal port 0-65535 written with digits only, or null. */
export function parsePort(raw: string): number | null {
  if (!/^\d{1,5}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= 65535 ? n : null;
}

export interface CommonArgs {
  readonly configs: string[];
  readonly adminPort: number | undefined;
  readonly logLevel: LogLevel;
  readonly help: boolean;
}

/** Parses `-c FILE … --admin-port N --log-level L --help` shared by run/validate/demo. */
export function parseCommonArgs(
  argv: readonly string[],
  extra: Record<string, { type: 'string' }> = {},
): CommonArgs & {
  values: Record<string, string | undefined>;
} {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c', multiple: true },
        'admin-port': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...extra,
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    throw new SkiffError('SKIFF_ERR_USAGE', (err as Error).message);
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const level = (v['log-level'] as string | undefined) ?? 'info';
  if (!isLogLevel(level)) throw new SkiffError('SKIFF_ERR_USAGE', `--log-level: unknown level "${level}"`);
  const adminRaw = v['admin-port'] as string | undefined;
  let adminPort: number | undefined;
  if (adminRaw !== undefined) {
    const parsed = parsePort(adminRaw);
    if (parsed === null) {
      throw new SkiffError('SKIFF_ERR_USAGE', `--admin-port: "${adminRaw}" is not a port number (0-65535)`);
    }
    adminPort = parsed;
  }
  const values: Record<string, string | undefined> = {};
  for (const k of Object.keys(extra)) values[k] = v[k] as string | undefined;
  return {
    configs: (v.config as string[] | undefined) ?? [],
    adminPort,
    logLevel: level,
    help: v.help === true,
    values,
  };
}

/** A usage error (exit 2) with `message`. */
export function usage(message: string): never {
  throw new SkiffError('SKIFF_ERR_USAGE', message);
}
