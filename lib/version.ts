import { readFileSync } from 'node:fs';

/** Package version, read once from package.json (two levels above dist/lib). */
export const VERSION: string = (() => {
  try {
    const url = new URL('../../package.json', import.meta.url);
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
