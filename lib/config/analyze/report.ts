/** How `skiff validate` prints findings: istioctl's text layout, or one JSON document. */
import { type ConfigIssue, formatIssue } from '../errors.js';
import type { Finding } from './finding.js';

/** Finding counts by severity. */
export interface FindingCounts {
  readonly errors: number;
  readonly warnings: number;
  readonly info: number;
}

/** Counts findings by severity. */
export function countFindings(findings: readonly Finding[]): FindingCounts {
  let errors = 0;
  let warnings = 0;
  let info = 0;
  for (const f of findings) {
    if (f.severity === 'Error') errors++;
    else if (f.severity === 'Warning') warnings++;
    else info++;
  }
  return { errors, warnings, info };
}

/**
 * The exit code istioctl's rules give: 1 for a load error or an Error finding, 1 for a Warning
 * with `strict`, else 0 (Info never fails).
 */
export function exitCode(findings: readonly Finding[], loadErrors: number, strict: boolean): number {
  const c = countFindings(findings);
  return loadErrors > 0 || c.errors > 0 || (strict && c.warnings > 0) ? 1 : 0;
}

/** `Error [IST0101] (VirtualService ns/name file path) message` and an indented hint line. */
export function formatFinding(f: Finding): string {
  const where = [f.resource, f.file, f.path].filter((s) => s !== '').join(' ');
  return `${f.severity} [${f.code}] (${where}) ${f.message}\n    hint: ${f.hint}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The closing line: a clean bill, or the counts. */
export function summaryLine(
  findings: readonly Finding[],
  loadErrors: number,
  files: readonly string[],
): string {
  if (findings.length === 0 && loadErrors === 0) {
    return `✔ No validation issues found when analyzing ${files.join(', ')}.\n`;
  }
  const c = countFindings(findings);
  const parts = [plural(c.errors, 'error'), plural(c.warnings, 'warning'), `${c.info} info`];
  const load = loadErrors > 0 ? ` and ${plural(loadErrors, 'load error')}` : '';
  return `Analyzers found ${parts.join(', ')}${load} (docs/analyze.md explains each code and its fix).\n`;
}

/** The `--output json` document. */
export function jsonReport(
  findings: readonly Finding[],
  loadErrors: readonly ConfigIssue[],
  warnings: readonly ConfigIssue[],
  code: number,
): string {
  const doc = {
    ok: code === 0,
    summary: countFindings(findings),
    findings,
    loadErrors: loadErrors.map((i) => ({ ...i, text: formatIssue(i) })),
    warnings: warnings.map((i) => ({ ...i, text: formatIssue(i) })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
