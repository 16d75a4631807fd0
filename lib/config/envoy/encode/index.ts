/** Model → Envoy v3 encoders (the base of `skiff translate` and `/config_dump`). */
export { encodeBootstrap, encodeBootstrapDocuments, encodeLoadAssignments } from './bootstrap.js';
export { encodeCluster } from './cluster.js';
export { formatDuration } from './format.js';
export { encodeListener } from './listener.js';
export { encodeRouteConfiguration } from './route-config.js';
export { TYPE } from './type-urls.js';
export { encodeBootstrapYaml } from './yaml.js';
