import { formatAddress } from './envoy/address.js';
import type { BootstrapPart, LoadAssignment, Located } from './envoy/bootstrap.js';
import type { ConfigIssue } from './errors.js';
import type { Bootstrap, ClusterConfig } from './model.js';

function where(l: Located<unknown>): string {
  return l.path === '' ? l.file : `${l.file}: ${l.path}`;
}

/**
 * Merges the parts of every document into one bootstrap and runs the checks that need the
 * whole picture: single node/admin, unique names and addresses, routes naming known clusters.
 */
export function mergeParts(
  parts: readonly BootstrapPart[],
  sources: readonly string[],
): { bootstrap: Bootstrap; issues: ConfigIssue[]; warnings: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const issue = (l: Located<unknown>, message: string): void => {
    issues.push({ file: l.file, path: l.path, message });
  };
  let node: BootstrapPart['node'] = null;
  let admin: BootstrapPart['admin'] = null;
  for (const p of parts) {
    if (p.node !== null) {
      if (node !== null) issue(p.node, `node is already defined at ${where(node)}; it may appear only once`);
      else node = p.node;
    }
    if (p.admin !== null) {
      if (admin !== null)
        issue(p.admin, `admin is already defined at ${where(admin)}; it may appear only once`);
      else admin = p.admin;
    }
  }
  const listeners = parts.flatMap((p) => p.listeners);
  const clusters = withAssignments(
    parts.flatMap((p) => p.clusters),
    parts.flatMap((p) => p.assignments),
    issue,
    (l, message) => warnings.push({ file: l.file, path: l.path, message }),
  );

  const clusterByName = new Map<string, Located<unknown>>();
  for (const c of clusters) {
    const prev = clusterByName.get(c.value.name);
    if (prev !== undefined)
      issue(c, `duplicate cluster name "${c.value.name}" (also defined at ${where(prev)})`);
    else clusterByName.set(c.value.name, c);
  }
  const listenerByName = new Map<string, Located<unknown>>();
  const listenerByAddress = new Map<string, Located<{ name: string }>>();
  for (const l of listeners) {
    const prev = listenerByName.get(l.value.name);
    if (prev !== undefined)
      issue(l, `duplicate listener name "${l.value.name}" (also defined at ${where(prev)})`);
    else listenerByName.set(l.value.name, l);
    // Port 0 asks the OS for a fresh port, so it never collides.
    if (l.value.address.port === 0) continue;
    const addr = formatAddress(l.value.address);
    const other = listenerByAddress.get(addr);
    if (other !== undefined) {
      issue(
        l,
        `listener "${l.value.name}" uses address ${addr}, already used by listener "${other.value.name}" (${where(other)})`,
      );
    } else {
      listenerByAddress.set(addr, l);
    }
  }
  for (const p of parts) {
    for (const ref of p.clusterRefs) {
      if (!clusterByName.has(ref.name)) {
        issues.push({
          file: ref.file,
          path: ref.path,
          message: `unknown cluster "${ref.name}" (not in static_resources.clusters; ${ref.hint ?? 'set validate_clusters: false on the route_config to allow it'})`,
        });
      }
    }
  }
  return {
    bootstrap: {
      sources,
      node: node?.value ?? { id: '', cluster: '' },
      admin: admin?.value ?? null,
      listeners: listeners.map((l) => l.value),
      clusters: clusters.map((c) => c.value),
    },
    issues,
    warnings,
  };
}

/**
 * Gives each EDS cluster the endpoints of its ClusterLoadAssignment document, if one was loaded.
 * An EDS cluster with neither such a document nor an endpoint file starts empty (xDS is not
 * implemented yet), which is worth a warning.
 */
function withAssignments(
  clusters: Located<ClusterConfig>[],
  assignments: Located<LoadAssignment>[],
  issue: (l: Located<unknown>, message: string) => void,
  warn: (l: Located<unknown>, message: string) => void,
): Located<ClusterConfig>[] {
  const byName = new Map<string, Located<LoadAssignment>>();
  for (const a of assignments) {
    const name = a.value.clusterName;
    const target = clusters.find((c) => c.value.name === name);
    const prev = byName.get(name);
    if (prev !== undefined)
      issue(a, `a second ClusterLoadAssignment for cluster "${name}" (first at ${where(prev)})`);
    else if (target === undefined) issue(a, `ClusterLoadAssignment for unknown cluster "${name}"`);
    else if (target.value.type !== 'EDS')
      issue(
        a,
        `cluster "${name}" is ${target.value.type}; a ClusterLoadAssignment document only applies to EDS clusters`,
      );
    else if (target.value.eds !== null)
      issue(a, `cluster "${name}" reads its endpoints from ${target.value.eds.path}; remove one of the two`);
    else byName.set(name, a);
  }
  return clusters.map((c) => {
    if (c.value.type !== 'EDS' || c.value.eds !== null) return c;
    const a = byName.get(c.value.name);
    if (a === undefined) {
      warn(
        c,
        'EDS cluster without endpoints: give eds_cluster_config.eds_config.path_config_source, or load a ClusterLoadAssignment document for it (an xDS server is not supported yet); the cluster starts empty',
      );
      return c;
    }
    return { ...c, value: { ...c.value, endpoints: a.value.endpoints } };
  });
}
