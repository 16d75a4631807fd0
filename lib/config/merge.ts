import { formatAddress } from './envoy/address.js';
import type { BootstrapPart, Located } from './envoy/bootstrap.js';
import type { ConfigIssue } from './errors.js';
import type { Bootstrap } from './model.js';

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
): { bootstrap: Bootstrap; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
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
  const clusters = parts.flatMap((p) => p.clusters);

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
          message: `unknown cluster "${ref.name}" (not in static_resources.clusters; set validate_clusters: false on the route_config to allow it)`,
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
  };
}
