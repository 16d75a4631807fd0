import t from 'tap';
import {
  DestinationRuleIndex,
  subsetLabels,
} from '../../../../../lib/config/istio/translate/destination-rules.js';
import { dr, rules, workload } from './dr-fixtures.js';

const REVIEWS = 'reviews.prod.svc.cluster.local';

/** The `metadata.name`s a lookup merged, or null. */
function namesFor(
  text: string,
  ns: string,
  host: string,
  labels: Record<string, string> = {},
  svcNs?: string,
) {
  const found = DestinationRuleIndex.build(rules(text), workload(ns, labels)).forHost(host, svcNs);
  return found === null ? null : found.sources.map((s) => s.resource.metadata.name);
}

const inProxyNs = dr('in-proxy-ns', 'web', `  host: ${REVIEWS}\n`);
const inServiceNs = dr('in-service-ns', 'prod', '  host: reviews\n');
const inRoot = dr('in-root', 'istio-system', `  host: ${REVIEWS}\n`);

t.test('lookup order: proxy namespace, then the service namespace, then the root namespace', async (t) => {
  t.same(namesFor(inProxyNs + inServiceNs + inRoot, 'web', REVIEWS), ['in-proxy-ns']);
  t.same(namesFor(inServiceNs + inRoot, 'web', REVIEWS), ['in-service-ns'], 'short host resolved in prod');
  t.same(namesFor(inRoot, 'web', REVIEWS), ['in-root']);
  t.equal(namesFor(inRoot, 'web', 'ratings.prod.svc.cluster.local'), null, 'no rule for another host');
});

t.test('exportTo decides what other namespaces see', async (t) => {
  const privateSvc = dr('private', 'prod', '  host: reviews\n  exportTo: ["."]\n');
  t.same(namesFor(privateSvc + inRoot, 'web', REVIEWS), ['in-root'], '"." hides it from web');
  t.same(namesFor(privateSvc + inRoot, 'prod', REVIEWS), ['private'], 'its own namespace uses it');
  const toWeb = dr('to-web', 'prod', '  host: reviews\n  exportTo: [web]\n');
  t.same(namesFor(toWeb + inRoot, 'web', REVIEWS), ['to-web']);
  t.same(namesFor(toWeb + inRoot, 'other', REVIEWS), ['in-root']);
  t.same(namesFor(toWeb + inRoot, 'prod', REVIEWS), ['in-root'], 'not exported to its own namespace');
  const rootPrivate = dr('root-private', 'istio-system', `  host: ${REVIEWS}\n  exportTo: ["."]\n`);
  t.equal(namesFor(rootPrivate, 'web', REVIEWS), null, 'a private root rule is not mesh-wide');
  t.same(namesFor(rootPrivate, 'istio-system', REVIEWS), ['root-private'], 'root proxies use it');
});

t.test('the service namespace comes from the caller for non-Kubernetes hosts', async (t) => {
  const ext = dr('ext', 'egress', '  host: api.example.com\n');
  t.equal(namesFor(ext, 'web', 'api.example.com'), null);
  t.same(namesFor(ext, 'web', 'api.example.com', {}, 'egress'), ['ext']);
  t.same(namesFor(ext, 'web', 'API.example.com', {}, 'egress'), ['ext'], 'hosts compare lower-cased');
});

t.test('wildcard hosts: exact beats wildcard, the longest wildcard wins', async (t) => {
  const text =
    dr('any', 'web', '  host: "*.example.com"\n') +
    dr('api', 'web', '  host: "*.api.example.com"\n') +
    dr('exact', 'web', '  host: v1.api.example.com\n');
  t.same(namesFor(text, 'web', 'v1.api.example.com'), ['exact']);
  t.same(namesFor(text, 'web', 'v2.api.example.com'), ['api']);
  t.same(namesFor(text, 'web', 'www.example.com'), ['any']);
  t.equal(namesFor(text, 'web', 'example.com'), null, 'the bare suffix is not covered');
  const found = DestinationRuleIndex.build(rules(text), workload('web')).forHost('v2.api.example.com');
  t.equal(found?.host, '*.api.example.com');
});

t.test('rules for one host in one namespace merge: subsets concatenated, first policy kept', async (t) => {
  const text =
    dr(
      'b-newer',
      'prod',
      '  host: reviews\n  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n  subsets:\n  - {name: v1, labels: {version: other}}\n  - {name: v3, labels: {version: v3}}\n',
      '  creationTimestamp: "2024-02-01T00:00:00Z"\n',
    ) +
    dr(
      'a-older',
      'prod',
      `  host: ${REVIEWS}\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n`,
      '  creationTimestamp: "2024-01-01T00:00:00Z"\n',
    ) +
    dr(
      'c-newest',
      'prod',
      '  host: reviews\n  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}\n',
      '  creationTimestamp: "2024-03-01T00:00:00Z"\n',
    );
  const merged = DestinationRuleIndex.build(rules(text), workload('web')).forHost(REVIEWS);
  t.ok(merged);
  t.same(
    merged!.sources.map((s) => s.resource.metadata.name),
    ['a-older', 'b-newer', 'c-newest'],
  );
  t.same(
    merged!.subsets.map((s) => [s.name, s.labels.version]),
    [
      ['v1', 'v1'],
      ['v2', 'v2'],
      ['v3', 'v3'],
    ],
    'the older v1 wins',
  );
  t.equal(merged!.trafficPolicy?.loadBalancer?.simple, 'RANDOM', 'the oldest rule that has a policy');
  t.same(subsetLabels(merged, 'v3'), { version: 'v3' });
  t.equal(subsetLabels(merged, 'v9'), undefined);
  t.equal(subsetLabels(null, 'v1'), undefined);
});

t.test('workloadSelector rules apply to the workloads they select, in their own namespace', async (t) => {
  const text =
    dr('all', 'web', `  host: ${REVIEWS}\n  subsets: [{name: v1, labels: {version: v1}}]\n`) +
    dr(
      'canary-clients',
      'web',
      `  host: ${REVIEWS}\n  workloadSelector: {matchLabels: {app: shop}}\n  subsets: [{name: v2, labels: {version: v2}}]\n`,
    );
  const forShop = DestinationRuleIndex.build(
    rules(text),
    workload('web', { app: 'shop', tier: 'x' }),
  ).forHost(REVIEWS);
  t.same(
    forShop?.sources.map((s) => s.resource.metadata.name),
    ['canary-clients'],
  );
  const forOther = DestinationRuleIndex.build(rules(text), workload('web', { app: 'cart' })).forHost(REVIEWS);
  t.same(
    forOther?.sources.map((s) => s.resource.metadata.name),
    ['all', 'canary-clients'],
    'the catch-all absorbs the selector rule subsets, as istiod merges them',
  );
  t.same(
    forOther?.subsets.map((s) => s.name),
    ['v1', 'v2'],
  );
  const elsewhere = dr(
    'selected-in-prod',
    'prod',
    '  host: reviews\n  workloadSelector: {matchLabels: {app: shop}}\n',
  );
  t.equal(
    namesFor(elsewhere, 'web', REVIEWS, { app: 'shop' }),
    null,
    'a selector never reaches other namespaces',
  );
  t.same(namesFor(elsewhere, 'prod', REVIEWS, { app: 'shop' }), ['selected-in-prod']);
  const onlySelector = dr(
    'only',
    'web',
    `  host: ${REVIEWS}\n  workloadSelector: {matchLabels: {app: shop}}\n`,
  );
  t.equal(
    namesFor(onlySelector + inServiceNs, 'web', REVIEWS, { app: 'cart' }),
    null,
    'the proxy namespace decides even when its rules select other workloads',
  );
});
