import type { AdminContext } from './types.js';

/** Envoy CommandLineOptions fields we can recover from argv, by flag. */
const FLAGS: Readonly<Record<string, string>> = {
  '-c': 'config_path',
  '--config-path': 'config_path',
  '--config-yaml': 'config_yaml',
  '-l': 'log_level',
  '--log-level': 'log_level',
  '--concurrency': 'concurrency',
  '--drain-time-s': 'drain_time',
  '--service-cluster': 'service_cluster',
  '--service-node': 'service_node',
};

function commandLineOptions(argv: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { restart_epoch: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const field = FLAGS[flag];
    if (field === undefined) continue;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) continue;
    if (field === 'concurrency') out[field] = Number(value);
    else if (field === 'drain_time') out[field] = `${value}s`;
    else out[field] = value;
  }
  // Not an Envoy field: keeps flags Envoy has no name for visible.
  out.argv = [...argv];
  return out;
}

/** `/server_info` (admin.v3.ServerInfo); durations in proto JSON's `"123s"` form. */
export function serverInfo(ctx: AdminContext): unknown {
  const uptime = `${Math.max(0, Math.floor(ctx.uptimeSeconds()))}s`;
  const node = ctx.config().node;
  return {
    version: ctx.version(),
    state: ctx.state(),
    hot_restart_version: 'disabled',
    command_line_options: commandLineOptions(ctx.commandLine()),
    node: { id: node.id, cluster: node.cluster },
    uptime_current_epoch: uptime,
    uptime_all_epochs: uptime,
  };
}
