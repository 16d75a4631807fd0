import { SkiffError } from '../errors.js';

/** One problem found in a config file: where (file + field path from the document root) and why. */
export interface ConfigIssue {
  readonly file: string;
  /** Dotted field path from the document root, e.g. `static_resources.clusters[1].lb_policy`; `""` = whole document. */
  readonly path: string;
  readonly message: string;
}

/** `FILE: path: reason` (or `FILE: reason` when the issue concerns the whole document). */
export function formatIssue(i: ConfigIssue): string {
  return i.path === '' ? `${i.file}: ${i.message}` : `${i.file}: ${i.path}: ${i.message}`;
}

/** A configuration was rejected; `issues` holds every problem found, not just the first. */
export class ConfigError extends SkiffError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super('SKIFF_ERR_CONFIG', issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
