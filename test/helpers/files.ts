import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh path under the OS temp dir (the file is not created). */
export function tempLogPath(name = 'access'): string {
  return join(tmpdir(), `skiff-test-${name}-${process.pid}-${randomBytes(4).toString('hex')}.log`);
}

export async function readLogLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l !== '');
}
