import { encodeBootstrapYaml } from '../config/envoy/encode/yaml.js';
import { formatIssue } from '../config/errors.js';
import { loadConfigFiles } from '../config/load.js';
import { SkiffError } from '../errors.js';
import { parseCommonArgs } from './args.js';
import { TRANSLATE_HELP } from './help.js';
import type { Io } from './io.js';
import { SIDECAR_FLAGS, sidecarOptionsFrom } from './sidecar-args.js';

/**
 * `skiff translate`: what `run` would serve, printed as an Envoy v3 bootstrap, so users see
 * exactly what their Istio resources compile to (the same object `/config_dump` shows).
 */
export async function translateCommand(
  argv: readonly string[],
  io: Io,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const args = parseCommonArgs(argv, SIDECAR_FLAGS);
  if (args.help) {
    io.out(TRANSLATE_HELP);
    return 0;
  }
  if (args.configs.length === 0)
    throw new SkiffError('SKIFF_ERR_USAGE', 'translate: at least one -c FILE is required');
  const result = await loadConfigFiles(args.configs, { sidecar: sidecarOptionsFrom(args.values, env) });
  if (!result.ok) {
    for (const issue of result.issues) io.err(`${formatIssue(issue)}\n`);
    return 1;
  }
  for (const w of result.warnings) io.err(`warning: ${formatIssue(w)}\n`);
  io.out(encodeBootstrapYaml(result.bootstrap));
  return 0;
}
