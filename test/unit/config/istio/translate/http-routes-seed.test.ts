import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { translateHttpRoutes } from '../../../../../lib/config/istio/translate/http-routes.js';
import { fakeContext, forwardOf, translate, virtualServices } from './fixtures.js';

const EXAMPLES = fileURLToPath(new URL('../../../../../../config-examples/istio/', import.meta.url));
const FQDN = 'order-service.production.svc.cluster.local';

const DEFAULT_RETRIES = {
  retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'],
  numRetries: 2,
  perTryTimeoutMs: null,
  perTryIdleTimeoutMs: null,
  retriableStatusCodes: [],
  retriableHeaders: [],
  backOff: null,
  previousHostsPredicate: true,
  hostSelectionRetryMaxAttempts: 5,
};

t.test('the seed canary VirtualService (config-examples copy of the seed)', async (t) => {
  const [vs] = virtualServices(readFileSync(`${EXAMPLES}istio-canary.yaml`, 'utf8'), 'istio-canary.yaml');
  const ctx = fakeContext({ workload: { namespace: 'production' } });
  const routes = translateHttpRoutes(vs!, 8080, ctx);
  t.same(ctx.sink.warnings, []);
  t.equal(routes.length, 2);

  const [canary, split] = routes;
  t.same(canary!.match, {
    path: { kind: 'prefix', value: '/' },
    caseSensitive: true,
    headers: [
      {
        name: 'x-canary',
        match: { kind: 'string', matcher: { kind: 'exact', value: 'yes', ignoreCase: false } },
        invert: false,
        treatMissingAsEmpty: false,
      },
    ],
    queryParameters: [],
    grpc: false,
  });
  const a = forwardOf(canary);
  t.same(a.target, { kind: 'cluster', name: `outbound|8080|v2|${FQDN}` });
  t.equal(a.timeoutMs, 15_000);
  t.same(a.retryPolicy, {
    ...DEFAULT_RETRIES,
    retryOn: ['connect-failure', 'refused-stream', 'retriable-status-codes'],
    perTryTimeoutMs: 3000,
    retriableStatusCodes: [503],
  });
  t.equal(canary!.decoratorOperation, `${FQDN}:8080/*`);
  t.equal(canary!.name, '');
  t.equal(canary!.typedPerFilterConfig, undefined);

  t.same(split!.match.headers, []);
  const b = forwardOf(split);
  t.same(b.target, {
    kind: 'weighted',
    clusters: [
      { name: `outbound|8080|v1|${FQDN}`, weight: 95, headers: split!.headers, hostRewriteLiteral: null },
      { name: `outbound|8080|v2|${FQDN}`, weight: 5, headers: split!.headers, hostRewriteLiteral: null },
    ],
  });
  t.equal(b.timeoutMs, 10_000);
  t.same(b.retryPolicy, DEFAULT_RETRIES, 'no retries: the mesh default policy');
  t.equal(split!.decoratorOperation, 'order-service-vs:8080/*', 'several destinations: VS name');
  t.equal(b.hashPolicy, undefined);
  t.equal(b.requestMirrorPolicies, undefined);
});

t.test('defaults of a minimal rule', async (t) => {
  const { routes, warnings } = translate(
    '  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews}\n',
  );
  t.same(warnings, []);
  t.equal(routes.length, 1);
  const r = routes[0]!;
  const a = forwardOf(r);
  t.same(r.match.path, { kind: 'prefix', value: '/' });
  t.same(a.target, { kind: 'cluster', name: 'outbound|80||reviews.default.svc.cluster.local' });
  t.equal(a.timeoutMs, 0, 'Istio disables the route timeout');
  t.same(a.retryPolicy, DEFAULT_RETRIES);
  t.equal(a.prefixRewrite, null);
  t.equal(a.regexRewrite, null);
  t.equal(a.hostRewriteLiteral, null);
  t.equal(a.clusterNotFoundResponseCode, 503);
  t.same(r.headers, {
    requestHeadersToAdd: [],
    requestHeadersToRemove: [],
    responseHeadersToAdd: [],
    responseHeadersToRemove: [],
  });
  t.equal(r.decoratorOperation, 'reviews.default.svc.cluster.local:80/*');
  t.equal(r.perRequestBufferLimitBytes, null);
});

t.test('a weight-0 single destination still gets everything', async (t) => {
  const { routes } = translate(
    '  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: 0\n',
  );
  t.same(forwardOf(routes[0]).target, { kind: 'cluster', name: 'outbound|80||a.default.svc.cluster.local' });
});
