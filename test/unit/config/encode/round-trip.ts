/** Shared by the encoder tests: decode(encode(m)) against m, through YAML text as `skiff translate` prints it. */

import { encodeBootstrapYaml } from '../../../../lib/config/envoy/encode/yaml.js';
import { formatIssue } from '../../../../lib/config/errors.js';
import { type LoadResult, loadConfigText } from '../../../../lib/config/load.js';
import type { Bootstrap } from '../../../../lib/config/model.js';

/** Loads a config text; throws with every issue when it does not load. */
export function load(text: string, name = 'test.yaml'): Bootstrap {
  const r: LoadResult = loadConfigText(text, name);
  if (!r.ok) throw new Error(`config rejected:\n${r.issues.map(formatIssue).join('\n')}`);
  return r.bootstrap;
}

/** The model with `sources` blanked (the one field the round trip does not keep). */
export function withoutSources(b: Bootstrap): Bootstrap {
  return { ...b, sources: [] };
}

/** Encodes `b` to YAML and loads it back. */
export function roundTrip(b: Bootstrap): Bootstrap {
  return load(encodeBootstrapYaml(b), 'encoded.yaml');
}
