import { formatIssue } from '../config/errors.js';
import { loadConfigFiles } from '../config/load.js';
import { SkiffError } from '../errors.js';
import { parseCommonArgs } from './args.js';
import { VALIDATE_HELP } from './help.js';
import type { Io } from './io.js';

/** `skiff validate`: the same checks as `run`, without serving. */
export async function validateCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseCommonArgs(argv);
  if (args.help) {
    io.out(VALIDATE_HELP);
    return 0;
  }
  if (args.configs.length === 0)
    throw new SkiffError('SKIFF_ERR_USAGE', 'validate: at least one -c FILE is required');
  const result = await loadConfigFiles(args.configs);
  if (!result.ok) {
    for (const issue of result.issues) io.err(`${formatIssue(issue)}\n`);
    return 1;
  }
  for (const w of result.warnings) io.err(`warning: ${formatIssue(w)}\n`);
  io.out('ok\n');
  return 0;
}
