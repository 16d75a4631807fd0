export { CompiledHeaderMatcher } from './header-matcher.js';
export {
  CompiledHeaderMutations,
  compileHeaderMutations,
  HeaderMutationCompiler,
} from './header-mutations.js';
export { addressWithoutPort, pathWithoutQuery, portStart } from './path-util.js';
export { firstQueryValue } from './query-matcher.js';
export { type ClusterPick, CompiledRoute, CompiledWeightedCluster, type RouteActionKind } from './route.js';
export { compileRouteTable, RouteTable } from './route-table.js';
export type { HeaderReader, HeaderValueContext, MutableHeaders, RouteRequest } from './types.js';
export { CompiledVirtualHost } from './virtual-host.js';
