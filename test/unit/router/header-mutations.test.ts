import t from 'tap';
import { compileHeaderMutations } from '../../../lib/router/header-mutations.js';
import { compileRouteTable } from '../../../lib/router/route-table.js';
import { seededRandom } from '../../../lib/util/random.js';
import {
  ctx,
  FakeHeaders,
  forward,
  hv,
  mutations,
  prefix,
  req,
  route,
  routeConfig,
  vhost,
} from './fixtures.js';

t.test('empty mutation lists compile to null', async (t) => {
  t.equal(compileHeaderMutations([]), null);
  t.equal(compileHeaderMutations([mutations(), mutations()]), null);
  t.equal(
    compileHeaderMutations([mutations({ requestHeadersToAdd: [hv('x', '')] })]),
    null,
    'constant empty value is never added',
  );
  const respOnly = compileHeaderMutations([mutations({ responseHeadersToRemove: ['server'] })])!;
  t.equal(respOnly.hasRequest, false);
  t.equal(respOnly.hasResponse, true);
});

t.test('append actions', async (t) => {
  const m = compileHeaderMutations([
    mutations({
      requestHeadersToAdd: [
        hv('append', 'new'),
        hv('append-new', 'v'),
        hv('absent', 'new', { appendAction: 'ADD_IF_ABSENT' }),
        hv('absent-new', 'v', { appendAction: 'ADD_IF_ABSENT' }),
        hv('over', 'new', { appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }),
        hv('over-new', 'v', { appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }),
        hv('over-if', 'new', { appendAction: 'OVERWRITE_IF_EXISTS' }),
        hv('over-if-new', 'v', { appendAction: 'OVERWRITE_IF_EXISTS' }),
      ],
    }),
  ])!;
  const h = new FakeHeaders([
    ['append', 'old'],
    ['absent', 'old'],
    ['over', 'old1'],
    ['over', 'old2'],
    ['over-if', 'old'],
  ]);
  m.applyRequest(h, ctx());
  t.equal(h.get('append'), 'old,new');
  t.equal(h.get('append-new'), 'v');
  t.equal(h.get('absent'), 'old');
  t.equal(h.get('absent-new'), 'v');
  t.equal(h.get('over'), 'new');
  t.equal(h.get('over-new'), 'v');
  t.equal(h.get('over-if'), 'new');
  t.equal(h.get('over-if-new'), undefined);
});

t.test('one level: remove first, conditions decided before any add, overwrites before appends', async (t) => {
  const m = compileHeaderMutations([
    mutations({
      requestHeadersToRemove: ['X-Gone'],
      requestHeadersToAdd: [
        hv('x-a', 'appended'),
        hv('x-a', 'set', { appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }),
        hv('x-b', 'first'),
        hv('x-b', 'second', { appendAction: 'ADD_IF_ABSENT' }),
        hv('x-gone', 'again', { appendAction: 'ADD_IF_ABSENT' }),
      ],
    }),
  ])!;
  const h = new FakeHeaders([['x-gone', '1']]);
  m.applyRequest(h, ctx());
  t.equal(h.get('x-a'), 'set,appended', 'overwrite applied before the append of the same level');
  t.equal(h.get('x-b'), 'first,second', 'ADD_IF_ABSENT looked at the headers before this level added x-b');
  t.equal(h.get('x-gone'), 'again', 'removed, then absent for ADD_IF_ABSENT');
});

t.test('keep_empty_value', async (t) => {
  const m = compileHeaderMutations([
    mutations({
      requestHeadersToAdd: [
        hv('kept', '', { keepEmptyValue: true }),
        hv('dyn-empty', '%REQ(missing)%'),
        hv('dyn-kept', '%REQ(missing)%', { keepEmptyValue: true }),
      ],
    }),
  ])!;
  const h = new FakeHeaders();
  m.applyRequest(h, ctx());
  t.equal(h.get('kept'), '');
  t.equal(h.get('dyn-empty'), undefined);
  t.equal(h.get('dyn-kept'), '');
});

t.test('substitutions', async (t) => {
  const m = compileHeaderMutations([
    mutations({
      requestHeadersToAdd: [
        hv('x-dra', '%DOWNSTREAM_REMOTE_ADDRESS%'),
        hv('x-dra-np', '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%'),
        hv('x-dla', '%DOWNSTREAM_LOCAL_ADDRESS%'),
        hv('x-dla-np', 'ip=%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%;'),
        hv('x-proto', '%PROTOCOL%'),
        hv('x-start', '%START_TIME%'),
        hv('x-start-s', '%START_TIME(%s.%3f)%'),
        hv('x-req', '%REQ(X-User)%/%REQ(missing?x-user)%/%REQ(x-user):2%'),
        hv('x-pct', '100%% sure'),
        hv('x-up', '%UPSTREAM_REMOTE_ADDRESS%'),
      ],
    }),
  ])!;
  const h = new FakeHeaders([['x-user', 'alice']]);
  m.applyRequest(h, ctx());
  t.equal(h.get('x-dra'), '10.0.0.1:5555');
  t.equal(h.get('x-dra-np'), '10.0.0.1');
  t.equal(h.get('x-dla'), '10.0.0.2:8080');
  t.equal(h.get('x-dla-np'), 'ip=10.0.0.2;');
  t.equal(h.get('x-proto'), 'HTTP/1.1');
  t.equal(h.get('x-start'), '2024-01-02T03:04:05.678Z');
  t.equal(h.get('x-start-s'), `${Math.floor(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000)}.678`);
  t.equal(h.get('x-req'), 'alice/alice/al');
  t.equal(h.get('x-pct'), '100% sure');
  t.equal(h.get('x-up'), undefined, 'no upstream on the request side → empty → not added');

  const v6 = compileHeaderMutations([
    mutations({ requestHeadersToAdd: [hv('ip', '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%')] }),
  ])!;
  const h6 = new FakeHeaders();
  v6.applyRequest(h6, ctx({ downstreamRemoteAddress: '[::1]:4000' }));
  t.equal(h6.get('ip'), '::1');
});

t.test(
  'response side: %UPSTREAM_REMOTE_ADDRESS%, %REQ% from the request, %RESP% from the response',
  async (t) => {
    const m = compileHeaderMutations([
      mutations({
        responseHeadersToAdd: [
          hv('x-up', '%UPSTREAM_REMOTE_ADDRESS%'),
          hv('x-echo', '%REQ(x-user)%'),
          hv('x-ct', 'was %RESP(content-type)%'),
        ],
        responseHeadersToRemove: ['server'],
      }),
    ])!;
    const h = new FakeHeaders([
      ['server', 'upstream'],
      ['content-type', 'text/html'],
    ]);
    m.applyResponse(
      h,
      ctx({ upstreamHost: '10.1.1.1:80', requestHeaders: new FakeHeaders([['x-user', 'bob']]) }),
    );
    t.equal(h.get('server'), undefined);
    t.equal(h.get('x-up'), '10.1.1.1:80');
    t.equal(h.get('x-echo'), 'bob');
    t.equal(h.get('x-ct'), 'was text/html');
  },
);

t.test('invalid or unsupported substitutions are config errors', async (t) => {
  for (const value of ['50%', '%NOPE%', '%REQ()%', '%DOWNSTREAM_REMOTE_ADDRESS']) {
    t.throws(
      () => compileHeaderMutations([mutations({ requestHeadersToAdd: [hv('x', value)] })]),
      { code: 'SKIFF_ERR_CONFIG' },
      value,
    );
  }
});

t.test(
  'route table order: weighted cluster → route → vhost → route config, less specific overwrites',
  async (t) => {
    const level = (tag: string) =>
      mutations({
        requestHeadersToAdd: [
          hv('x-order', tag),
          hv('x-winner', tag, { appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }),
        ],
        responseHeadersToAdd: [
          hv('x-order', tag),
          hv('x-winner', tag, { appendAction: 'OVERWRITE_IF_EXISTS_OR_ADD' }),
        ],
      });
    const table = compileRouteTable(
      routeConfig(
        [
          vhost(
            'v',
            ['*'],
            [
              route(
                prefix('/w'),
                forward('', {
                  target: {
                    kind: 'weighted',
                    clusters: [
                      { name: 'a', weight: 1, headers: level('weighted'), hostRewriteLiteral: null },
                    ],
                  },
                }),
                { headers: level('route') },
              ),
              route(prefix('/'), forward('c'), { headers: level('route') }),
            ],
            { headers: level('vhost') },
          ),
        ],
        { headers: level('config') },
      ),
      seededRandom(1),
    );
    const w = table.route(req('/w'))!;
    const pick = w.pickCluster(req('/w'))!;
    const reqH = new FakeHeaders();
    w.requestMutations(pick.weighted)!.applyRequest(reqH, ctx());
    t.equal(reqH.get('x-order'), 'weighted,route,vhost,config');
    t.equal(reqH.get('x-winner'), 'config', 'least specific applied last wins an overwrite');
    const respH = new FakeHeaders();
    w.responseMutations(pick.weighted)!.applyResponse(respH, ctx());
    t.equal(respH.get('x-order'), 'weighted,route,vhost,config');

    const plain = table.route(req('/'))!;
    const h2 = new FakeHeaders();
    plain.requestMutations(plain.pickCluster(req('/'))!.weighted)!.applyRequest(h2, ctx());
    t.equal(h2.get('x-order'), 'route,vhost,config');
    t.equal(
      plain.responseMutations(null),
      plain.requestMutations(null),
      'one precompiled object per combination',
    );
  },
);

t.test('routes without any mutations get null', async (t) => {
  const table = compileRouteTable(
    routeConfig([vhost('v', ['*'], [route(prefix('/'), forward('c'))])]),
    seededRandom(1),
  );
  const r = table.route(req('/'))!;
  t.equal(r.requestMutations(null), null);
  t.equal(r.responseMutations(null), null);
});
