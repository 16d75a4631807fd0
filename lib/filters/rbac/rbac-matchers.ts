/**
 * RBAC permissions and principals compiled into small matcher objects, once per config. A
 * request evaluation walks them without allocating, except the substrings an IP, port or
 * query-carrying path needs.
 */
import type { PermissionConfig, PrincipalConfig, StringMatcherConfig } from '../../config/model.js';
import { CompiledHeaderMatcher } from '../../router/header-matcher.js';
import { StringMatcher } from '../../router/string-matcher.js';
import type { DownstreamTlsInfo } from '../../tls/types.js';
import { CidrMatcher, hostOf, portOf } from './cidr.js';

/** What RBAC reads from a request (implemented by the stream). */
export interface RbacRequest {
  readonly path: string;
  readonly downstreamRemoteAddress: string;
  readonly downstreamLocalAddress: string;
  readonly downstreamTls: DownstreamTlsInfo | null;
  /** Lower-case name (pseudo-headers too) → comma-joined value, undefined when absent. */
  header(name: string): string | undefined;
}

/** One compiled permission or principal. */
export interface RbacMatcher {
  matches(req: RbacRequest): boolean;
}

const ANY: RbacMatcher = { matches: () => true };
/** A connection has no request: Envoy's network RBAC never matches header or url_path rules. */
const NEVER: RbacMatcher = { matches: () => false };

class AndMatcher implements RbacMatcher {
  constructor(private readonly all: readonly RbacMatcher[]) {}
  matches(req: RbacRequest): boolean {
    for (const m of this.all) if (!m.matches(req)) return false;
    return true;
  }
}

class OrMatcher implements RbacMatcher {
  constructor(private readonly some: readonly RbacMatcher[]) {}
  matches(req: RbacRequest): boolean {
    for (const m of this.some) if (m.matches(req)) return true;
    return false;
  }
}

class NotMatcher implements RbacMatcher {
  constructor(private readonly inner: RbacMatcher) {}
  matches(req: RbacRequest): boolean {
    return !this.inner.matches(req);
  }
}

class HeaderRule implements RbacMatcher {
  constructor(private readonly m: CompiledHeaderMatcher) {}
  matches(req: RbacRequest): boolean {
    return this.m.matches(req.header(this.m.name));
  }
}

/** Envoy's PathMatcher: `:path` without query and fragment. */
class PathRule implements RbacMatcher {
  constructor(private readonly m: StringMatcher) {}
  matches(req: RbacRequest): boolean {
    const p = req.path;
    let end = p.indexOf('?');
    const hash = p.indexOf('#');
    if (hash >= 0 && (end < 0 || hash < end)) end = hash;
    return this.m.match(end < 0 ? p : p.slice(0, end));
  }
}

class IpRule implements RbacMatcher {
  constructor(
    private readonly cidr: CidrMatcher,
    private readonly local: boolean,
  ) {}
  matches(req: RbacRequest): boolean {
    return this.cidr.matches(hostOf(this.local ? req.downstreamLocalAddress : req.downstreamRemoteAddress));
  }
}

class PortRule implements RbacMatcher {
  constructor(
    private readonly start: number,
    private readonly end: number,
  ) {}
  matches(req: RbacRequest): boolean {
    const port = portOf(req.downstreamLocalAddress);
    return port >= this.start && port < this.end;
  }
}

/** SNI: Skiff's stream does not carry it yet, so it is "" (what Envoy sees on plaintext). */
class ServerNameRule implements RbacMatcher {
  constructor(private readonly m: StringMatcher) {}
  matches(_req: RbacRequest): boolean {
    return this.m.match('');
  }
}

/** Envoy's AuthenticatedMatcher: any TLS connection, or a peer URI SAN matching the name. */
class AuthenticatedRule implements RbacMatcher {
  constructor(private readonly m: StringMatcher | null) {}
  matches(req: RbacRequest): boolean {
    const tls = req.downstreamTls;
    if (tls === null) return false;
    if (this.m === null) return true;
    for (const san of tls.peerUriSans) if (this.m.match(san)) return true;
    return false;
  }
}

function str(m: StringMatcherConfig, where: string): StringMatcher {
  return new StringMatcher(m, where);
}

/**
 * Compiles a `Permission`; `where` names it in regex errors. `network`: for a connection (the
 * network RBAC filter), where HTTP-only rules never match.
 */
export function compilePermission(p: PermissionConfig, where: string, network = false): RbacMatcher {
  switch (p.kind) {
    case 'any':
      return ANY;
    case 'and_rules':
      return new AndMatcher(
        p.rules.map((r, i) => compilePermission(r, `${where}.and_rules.rules[${i}]`, network)),
      );
    case 'or_rules':
      return new OrMatcher(
        p.rules.map((r, i) => compilePermission(r, `${where}.or_rules.rules[${i}]`, network)),
      );
    case 'not_rule':
      return new NotMatcher(compilePermission(p.rule, `${where}.not_rule`, network));
    case 'header':
      return network ? NEVER : new HeaderRule(new CompiledHeaderMatcher(p.header, `${where}.header`));
    case 'url_path':
      return network ? NEVER : new PathRule(str(p.path, `${where}.url_path.path`));
    case 'destination_ip':
      return new IpRule(new CidrMatcher(p.cidr), true);
    case 'destination_port':
      return new PortRule(p.port, p.port + 1);
    case 'destination_port_range':
      return new PortRule(p.start, p.end);
    case 'requested_server_name':
      return new ServerNameRule(str(p.name, `${where}.requested_server_name`));
  }
}

/** Compiles a `Principal`; `where` names it in regex errors; `network` as for permissions. */
export function compilePrincipal(p: PrincipalConfig, where: string, network = false): RbacMatcher {
  switch (p.kind) {
    case 'any':
      return ANY;
    case 'and_ids':
      return new AndMatcher(p.ids.map((r, i) => compilePrincipal(r, `${where}.and_ids.ids[${i}]`, network)));
    case 'or_ids':
      return new OrMatcher(p.ids.map((r, i) => compilePrincipal(r, `${where}.or_ids.ids[${i}]`, network)));
    case 'not_id':
      return new NotMatcher(compilePrincipal(p.id, `${where}.not_id`, network));
    case 'authenticated':
      return new AuthenticatedRule(
        p.principalName === null ? null : str(p.principalName, `${where}.authenticated.principal_name`),
      );
    case 'direct_remote_ip':
    case 'remote_ip':
    case 'source_ip':
      // No trusted-hop XFF handling yet, so the remote address is the socket peer.
      return new IpRule(new CidrMatcher(p.cidr), false);
    case 'header':
      return network ? NEVER : new HeaderRule(new CompiledHeaderMatcher(p.header, `${where}.header`));
    case 'url_path':
      return network ? NEVER : new PathRule(str(p.path, `${where}.url_path.path`));
  }
}
