import { analyze } from '../config/analyze/analyze.js';
import type { Finding } from '../config/analyze/finding.js';
import { exitCode, formatFinding, jsonReport, summaryLine } from '../config/analyze/report.js';
import { readDocuments, schemaValidationFindings } from '../config/analyze/schema-errors.js';
import { type ConfigIssue, formatIssue } from '../config/errors.js';
import { loadConfigFiles } from '../config/load.js';
import { SkiffError } from '../errors.js';
import { parseCommonArgs } from './args.js';
import { VALIDATE_HELP } from './help.js';
import type { Io } from './io.js';
import { SIDECAR_FLAGS, sidecarOptionsFrom } from './sidecar-args.js';

/**
 * `skiff validate`: the same checks as `run`, without serving; Istio resources also go through
 * the analyzers (`istioctl analyze`'s codes plus Skiff's own).
 */
export async function validateCommand(
  argv: readonly string[],
  io: Io,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  // parseCommonArgs takes string options only; --strict is the one flag, so it is read here.
  const strict = argv.includes('--strict');
  const args = parseCommonArgs(
    argv.filter((a) => a !== '--strict'),
    { output: { type: 'string' }, ...SIDECAR_FLAGS },
  );
  if (args.help) {
    io.out(VALIDATE_HELP);
    return 0;
  }
  const output = args.values.output ?? 'text';
  if (output !== 'text' && output !== 'json')
    throw new SkiffError('SKIFF_ERR_USAGE', `--output: unknown format "${output}"; expected text or json`);
  if (args.configs.length === 0)
    throw new SkiffError('SKIFF_ERR_USAGE', 'validate: at least one -c FILE is required');
  // Istio resources are translated for the workload the flags describe, as `run` would.
  const sidecar = sidecarOptionsFrom(args.values, env);
  const result = await loadConfigFiles(args.configs, { sidecar, checkFiles: true });
  const warnings = result.ok ? result.warnings : [];
  let loadErrors: ConfigIssue[] = result.ok ? [] : result.issues;
  let findings: Finding[] = [];
  if (!result.ok) {
    const split = schemaValidationFindings(
      result.issues,
      await readDocuments(args.configs),
      result.istio,
      sidecar.workload.namespace,
    );
    findings = split.findings;
    loadErrors = split.rest;
  }
  const istio = result.istio.length > 0 || findings.length > 0;
  if (istio) findings = [...findings, ...analyze(result.istio)];
  const code = exitCode(findings, loadErrors.length, strict);
  if (output === 'json') {
    io.out(jsonReport(findings, loadErrors, warnings, code));
    return code;
  }
  for (const issue of loadErrors) io.err(`${formatIssue(issue)}\n`);
  for (const w of warnings) io.err(`warning: ${formatIssue(w)}\n`);
  // An Envoy bootstrap keeps the plain "ok" / error list; analysis output is for Istio resources.
  if (!istio) {
    if (code === 0) io.out('ok\n');
    return code;
  }
  for (const f of findings) io.out(formatFinding(f));
  io.out(summaryLine(findings, loadErrors.length, args.configs));
  return code;
}
