import type { HeaderMutations, TypedPerFilterConfig, VirtualHostConfig } from '../config/model.js';
import type { Random } from '../util/random.js';
import type { HeaderMutationCompiler } from './header-mutations.js';
import { pathEnd } from './path-util.js';
import { overlayPerFilterConfig } from './per-filter-config.js';
import { CompiledRoute } from './route.js';
import type { RouteRequest } from './types.js';

/** Envoy buffers a retried request's body up to the listener's connection buffer (1 MiB default). */
const DEFAULT_REQUEST_BUFFER_LIMIT = 1_048_576;

/** A virtual host: its routes in config order (first match wins) and host-wide settings. */
export class CompiledVirtualHost {
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly CompiledRoute[];
  /** The vhost-level policy; routes already resolved theirs (route-level replaces it wholesale). */
  readonly retryPolicy: VirtualHostConfig['retryPolicy'];
  readonly includeRequestAttemptCount: boolean;
  readonly includeAttemptCountInResponse: boolean;
  /** Retry body buffer limit for routes that set none. */
  readonly perRequestBufferLimitBytes: number;

  constructor(
    cfg: VirtualHostConfig,
    env: {
      random: Random;
      mutations: HeaderMutationCompiler;
      configHeaders: HeaderMutations;
      where: string;
      configPerFilter?: TypedPerFilterConfig | undefined;
    },
  ) {
    const perFilter = overlayPerFilterConfig(
      overlayPerFilterConfig(null, env.configPerFilter),
      cfg.typedPerFilterConfig,
    );
    this.name = cfg.name;
    this.domains = Object.freeze(cfg.domains.map((d) => d.toLowerCase()));
    this.retryPolicy = cfg.retryPolicy;
    this.includeRequestAttemptCount = cfg.includeRequestAttemptCount;
    this.includeAttemptCountInResponse = cfg.includeAttemptCountInResponse;
    this.perRequestBufferLimitBytes = cfg.perRequestBufferLimitBytes ?? DEFAULT_REQUEST_BUFFER_LIMIT;
    this.routes = Object.freeze(
      cfg.routes.map(
        (r, i) =>
          new CompiledRoute(r, this, {
            random: env.random,
            mutations: env.mutations,
            vhostHeaders: cfg.headers,
            configHeaders: env.configHeaders,
            vhostRetryPolicy: cfg.retryPolicy,
            where: `${env.where}.routes[${i}]`,
            vhostWhere: env.where,
            inheritedPerFilter: perFilter,
          }),
      ),
    );
    Object.freeze(this);
  }

  /** The first route whose criteria all match, or null (→ 404 NR). */
  match(req: RouteRequest): CompiledRoute | null {
    const routes = this.routes;
    const end = pathEnd(req.path);
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!;
      if (r.matches(req, end)) return r;
    }
    return null;
  }
}
