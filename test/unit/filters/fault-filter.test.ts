import t from 'tap';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import { EMPTY_FAULT } from '../../../lib/config/envoy/fault.js';
import type {
  FaultAbortConfig,
  FaultFilterConfig,
  FractionalPercentConfig,
  HttpFaultConfig,
  HttpFilterPerRouteConfig,
  RouteConfiguration,
} from '../../../lib/config/model.js';
import { FaultFilterFactory } from '../../../lib/filters/fault/fault-filter.js';
import { FilterStatus, type HttpFilter, type RouterStream } from '../../../lib/filters/filter.js';
import { HeaderMap } from '../../../lib/http/header-map.js';
import type { ClusterPick, CompiledRoute } from '../../../lib/router/route.js';
import { compileRouteTable, type RouteTable } from '../../../lib/router/route-table.js';
import { StatsRegistry } from '../../../lib/stats/registry.js';
import type { Random } from '../../../lib/util/random.js';
import type { Scheduler, TimerTarget } from '../../../lib/util/scheduler.js';
import { forward, headerMatcher, prefix, route, routeConfig, vhost } from '../router/fixtures.js';

const ALL: FractionalPercentConfig = { numerator: 100, denominator: 100 };
const NAME = 'envoy.filters.http.fault';

function abortOf(httpStatus: number, percentage = ALL): FaultAbortConfig {
  return { kind: 'http_status', httpStatus, grpcStatus: 0, percentage };
}

/** Scripted draws: `int()` returns the queued values in order (and fails the test when empty). */
class ScriptedRandom implements Random {
  draws: number[] = [];
  constructor(private readonly queue: number[] = []) {}
  next(): number {
    return 0;
  }
  int(n: number): number {
    this.draws.push(n);
    const v = this.queue.shift();
    if (v === undefined) throw new Error('unexpected random draw');
    return v;
  }
}

class FakeScheduler implements Scheduler {
  readonly timers: Array<{ ms: number; target: TimerTarget; cancelled: boolean }> = [];
  schedule(ms: number, target: TimerTarget): unknown {
    const e = { ms, target, cancelled: false };
    this.timers.push(e);
    return e;
  }
  cancel(handle: unknown): void {
    (handle as { cancelled: boolean }).cancelled = true;
  }
  fire(i = 0): void {
    const e = this.timers[i]!;
    if (!e.cancelled) e.target.onTimer();
  }
}

interface Reply {
  status: number;
  body: string;
  flag: number;
  details: string;
  grpc: number | undefined;
}

/** The parts of RouterStream the fault filter uses, routing through a real RouteTable. */
class FakeStream {
  readonly method = 'GET';
  readonly authority = 'example.com';
  readonly scheme = 'http';
  readonly requestHeaders: HeaderMap;
  flags = 0;
  continued = 0;
  readonly replies: Reply[] = [];
  constructor(
    readonly path: string,
    headers: Record<string, string>,
    private readonly table: RouteTable,
  ) {
    this.requestHeaders = new HeaderMap(Object.entries(headers).flat());
  }
  header(name: string): string | undefined {
    return name === ':path' ? this.path : this.requestHeaders.get(name);
  }
  setResponseFlag(bit: number): void {
    this.flags |= bit;
  }
  sendLocalReply(
    status: number,
    body: string,
    flag: number,
    details: string,
    _h?: unknown,
    grpc?: number,
  ): void {
    this.flags |= flag;
    this.replies.push({ status, body, flag, details, grpc });
  }
  continueDecoding(): void {
    this.continued++;
  }
  route(): CompiledRoute | null {
    return this.table.route(this);
  }
  private pick: ClusterPick | null | undefined;
  clusterPick(): ClusterPick | null {
    if (this.pick === undefined) this.pick = this.route()?.pickCluster(this) ?? null;
    return this.pick;
  }
  perFilterConfig(name: string): HttpFilterPerRouteConfig | undefined {
    const r = this.route();
    if (r === null) return undefined;
    return r.perFilterConfig(name, r.weightedPerFilter ? (this.clusterPick()?.weighted ?? null) : null);
  }
  asRouter(): RouterStream {
    return this as unknown as RouterStream;
  }
}

const ONE_ROUTE = routeConfig([vhost('all', ['*'], [route(prefix('/'), forward('svc'))])]);

function setup(fault: Partial<HttpFaultConfig>, opts: { random?: number[]; rc?: RouteConfiguration } = {}) {
  const stats = new StatsRegistry();
  const fs = stats.faultStats('test');
  const random = new ScriptedRandom(opts.random);
  const scheduler = new FakeScheduler();
  const table = compileRouteTable(opts.rc ?? ONE_ROUTE, random);
  const cfg: FaultFilterConfig = { kind: 'fault', name: NAME, fault: { ...EMPTY_FAULT, ...fault } };
  const factory = new FaultFilterFactory(cfg, table, { stats: fs, random, scheduler });
  const stream = (path = '/', headers: Record<string, string> = {}) => new FakeStream(path, headers, table);
  const create = (s: FakeStream): HttpFilter | null => factory.create(s.asRouter());
  return { fs, random, scheduler, stream, create };
}

t.test('nothing configured: no filter is created', async (t) => {
  const { stream, create } = setup({});
  t.equal(create(stream()), null);
});

t.test('100 % abort: local reply, FI, stats; active until destroyed', async (t) => {
  const { fs, stream, create } = setup({ abort: abortOf(503) });
  const s = stream();
  const f = create(s)!;
  t.equal(f.decodeHeaders(s.asRouter()), FilterStatus.Stop);
  t.same(s.replies, [
    {
      status: 503,
      body: 'fault filter abort',
      flag: ResponseFlag.FaultInjected,
      details: 'fault_filter_abort',
      grpc: undefined,
    },
  ]);
  t.equal(s.flags, ResponseFlag.FaultInjected);
  t.equal(fs.abortsInjected.value, 1);
  t.equal(fs.activeFaults.value, 1);
  f.onDestroy?.();
  t.equal(fs.activeFaults.value, 0);
  f.onDestroy?.();
  t.equal(fs.activeFaults.value, 0, 'a second destroy changes nothing');
});

t.test('percentage sampling draws from the injected Random', async (t) => {
  const { fs, random, stream, create } = setup(
    { abort: abortOf(500, { numerator: 50, denominator: 10_000 }) },
    { random: [49, 50] },
  );
  const a = stream();
  t.equal(create(a)!.decodeHeaders(a.asRouter()), FilterStatus.Stop, 'draw 49 < 50 aborts');
  const b = stream();
  t.equal(create(b)!.decodeHeaders(b.asRouter()), FilterStatus.Continue, 'draw 50 does not');
  t.same(random.draws, [10_000, 10_000], 'one draw over the denominator per decision');
  t.equal(fs.abortsInjected.value, 1);
});

t.test('fixed delay: Stop, DI, continue after the timer; no longer active', async (t) => {
  const { fs, scheduler, stream, create } = setup({
    delay: { kind: 'fixed', fixedDelayMs: 1500, percentage: ALL },
  });
  const s = stream();
  const f = create(s)!;
  t.equal(f.decodeHeaders(s.asRouter()), FilterStatus.Stop);
  t.equal(scheduler.timers[0]?.ms, 1500);
  t.equal(s.flags, ResponseFlag.DelayInjected);
  t.equal(fs.delaysInjected.value, 1);
  t.equal(fs.activeFaults.value, 1);
  t.equal(s.continued, 0);
  scheduler.fire();
  t.equal(s.continued, 1, 'the chain resumes');
  t.equal(fs.activeFaults.value, 0, 'a finished delay is no longer an active fault');
  f.onDestroy?.();
  t.equal(fs.activeFaults.value, 0);
  t.notOk(scheduler.timers[0]!.cancelled, 'nothing left to cancel');
});

t.test('delay then abort: the abort is decided after the delay', async (t) => {
  const { fs, scheduler, stream, create } = setup({
    delay: { kind: 'fixed', fixedDelayMs: 10, percentage: ALL },
    abort: abortOf(504),
  });
  const s = stream();
  const f = create(s)!;
  t.equal(f.decodeHeaders(s.asRouter()), FilterStatus.Stop);
  t.equal(s.replies.length, 0);
  scheduler.fire();
  t.equal(s.replies[0]?.status, 504);
  t.equal(s.continued, 0);
  t.equal(s.flags, ResponseFlag.DelayInjected | ResponseFlag.FaultInjected);
  t.equal(fs.activeFaults.value, 1, 'counted once');
  f.onDestroy?.();
  t.equal(fs.activeFaults.value, 0);
});

t.test('destroy during a delay cancels the timer', async (t) => {
  const { fs, scheduler, stream, create } = setup({
    delay: { kind: 'fixed', fixedDelayMs: 60_000, percentage: ALL },
  });
  const s = stream();
  const f = create(s)!;
  f.decodeHeaders(s.asRouter());
  f.onDestroy?.();
  t.ok(scheduler.timers[0]!.cancelled);
  t.equal(fs.activeFaults.value, 0);
  scheduler.fire();
  t.equal(s.continued, 0, 'a cancelled timer never resumes the stream');
});

t.test('gRPC abort: status 200 and the gRPC code for the local reply', async (t) => {
  const { stream, create } = setup({
    abort: { kind: 'grpc_status', httpStatus: 0, grpcStatus: 14, percentage: ALL },
  });
  const s = stream();
  create(s)!.decodeHeaders(s.asRouter());
  t.same(
    s.replies.map((r) => [r.status, r.grpc]),
    [[200, 14]],
  );
});

t.test('header-controlled abort and delay', async (t) => {
  const { fs, scheduler, stream, create } = setup({
    abort: { kind: 'header', httpStatus: 0, grpcStatus: 0, percentage: ALL },
    delay: { kind: 'header', fixedDelayMs: 0, percentage: ALL },
  });
  const run = (headers: Record<string, string>) => {
    const s = stream('/', headers);
    const f = create(s)!;
    const status = f.decodeHeaders(s.asRouter());
    return { s, f, status };
  };
  t.equal(run({}).status, FilterStatus.Continue, 'no headers: no fault');
  t.same(
    run({ 'x-envoy-fault-abort-request': '429' }).s.replies.map((r) => r.status),
    [429],
  );
  t.same(
    run({ 'x-envoy-fault-abort-request': ' +418 ' }).s.replies.map((r) => r.status),
    [418],
    'SimpleAtoi form',
  );
  t.equal(run({ 'x-envoy-fault-abort-request': '199' }).status, FilterStatus.Continue, 'outside [200, 600)');
  t.equal(run({ 'x-envoy-fault-abort-request': 'abc' }).status, FilterStatus.Continue);
  const grpc = run({ 'x-envoy-fault-abort-grpc-request': '5' });
  t.same(
    grpc.s.replies.map((r) => [r.status, r.grpc]),
    [[200, 5]],
  );
  const both = run({ 'x-envoy-fault-abort-request': '503', 'x-envoy-fault-abort-grpc-request': '5' });
  t.same(
    both.s.replies.map((r) => [r.status, r.grpc]),
    [[503, undefined]],
    'HTTP status wins',
  );
  const zero = run({ 'x-envoy-fault-abort-request': '503', 'x-envoy-fault-abort-request-percentage': '0' });
  t.equal(zero.status, FilterStatus.Continue, 'the percentage header lowers the numerator');
  const d = run({ 'x-envoy-fault-delay-request': '250' });
  t.equal(d.status, FilterStatus.Stop);
  t.equal(scheduler.timers.at(-1)?.ms, 250);
  t.equal(run({ 'x-envoy-fault-delay-request': '0' }).status, FilterStatus.Continue, 'a 0 ms delay is none');
  t.equal(
    run({ 'x-envoy-fault-delay-request': '10', 'x-envoy-fault-delay-request-percentage': '0' }).status,
    FilterStatus.Continue,
  );
  t.equal(fs.delaysInjected.value, 1);
});

t.test('header percentage is capped by the configured numerator', async (t) => {
  const { random, stream, create } = setup(
    {
      abort: {
        kind: 'header',
        httpStatus: 0,
        grpcStatus: 0,
        percentage: { numerator: 10, denominator: 100 },
      },
    },
    { random: [15] },
  );
  const s = stream('/', {
    'x-envoy-fault-abort-request': '500',
    'x-envoy-fault-abort-request-percentage': '90',
  });
  t.equal(create(s)!.decodeHeaders(s.asRouter()), FilterStatus.Continue, 'min(90, 10) = 10 % and 15 ≥ 10');
  t.same(random.draws, [100]);
});

t.test('headers, downstream_nodes and upstream_cluster restrict the fault', async (t) => {
  const h = setup({
    abort: abortOf(503),
    headers: [
      headerMatcher('x-fault', {
        kind: 'string',
        matcher: { kind: 'exact', value: 'on', ignoreCase: false },
      }),
    ],
  });
  t.equal(h.create(h.stream('/', { 'x-fault': 'off' })), null);
  t.not(h.create(h.stream('/', { 'x-fault': 'on' })), null);

  const n = setup({ abort: abortOf(503), downstreamNodes: ['node-a'] });
  t.equal(n.create(n.stream()), null, 'no node header');
  t.equal(n.create(n.stream('/', { 'x-envoy-downstream-service-node': 'node-b' })), null);
  t.not(n.create(n.stream('/', { 'x-envoy-downstream-service-node': 'node-a' })), null);

  const u = setup({ abort: abortOf(503), upstreamCluster: 'other' });
  t.equal(u.create(u.stream()), null, 'routed to svc, not other');
  const v = setup({ abort: abortOf(503), upstreamCluster: 'svc' });
  t.not(v.create(v.stream()), null);
});

t.test('max_active_faults: overflow skips the fault and counts it', async (t) => {
  const { fs, stream, create } = setup({
    delay: { kind: 'fixed', fixedDelayMs: 1000, percentage: ALL },
    maxActiveFaults: 1,
  });
  const a = stream();
  const fa = create(a)!;
  t.equal(fa.decodeHeaders(a.asRouter()), FilterStatus.Stop);
  const b = stream();
  t.equal(create(b)!.decodeHeaders(b.asRouter()), FilterStatus.Continue, 'second fault overflows');
  t.equal(fs.faultsOverflow.value, 1);
  t.equal(fs.activeFaults.value, 1);
  fa.onDestroy?.();
  const c = stream();
  t.equal(create(c)!.decodeHeaders(c.asRouter()), FilterStatus.Stop, 'room again');
});

t.test('per-route config replaces the filter-level one; most specific wins', async (t) => {
  const fault = (status: number): HttpFilterPerRouteConfig => ({
    kind: 'fault',
    fault: { ...EMPTY_FAULT, abort: abortOf(status) },
  });
  const rc = routeConfig(
    [
      vhost(
        'all',
        ['*'],
        [
          route(prefix('/faulted'), forward('svc'), { typedPerFilterConfig: { [NAME]: fault(500) } }),
          route(prefix('/off'), forward('svc'), { typedPerFilterConfig: { [NAME]: { kind: 'disabled' } } }),
          route(
            prefix('/weighted'),
            forward('svc', {
              target: {
                kind: 'weighted',
                clusters: [
                  {
                    name: 'w',
                    weight: 1,
                    headers: {
                      requestHeadersToAdd: [],
                      requestHeadersToRemove: [],
                      responseHeadersToAdd: [],
                      responseHeadersToRemove: [],
                    },
                    hostRewriteLiteral: null,
                    typedPerFilterConfig: { [NAME]: fault(502) },
                  },
                ],
              },
            }),
            { typedPerFilterConfig: { [NAME]: fault(501) } },
          ),
          route(prefix('/'), forward('svc')),
        ],
        { typedPerFilterConfig: { other: fault(400) } },
      ),
    ],
    { typedPerFilterConfig: { [NAME]: fault(503) } },
  );
  const { stream, create } = setup({ abort: abortOf(418) }, { rc, random: [0] });
  const statusOf = (path: string): number | null => {
    const s = stream(path);
    const f = create(s);
    if (f === null) return null;
    f.decodeHeaders(s.asRouter());
    return s.replies[0]?.status ?? 0;
  };
  t.equal(statusOf('/faulted'), 500, 'route entry');
  t.equal(statusOf('/off'), null, 'FilterConfig disabled: no filter at all');
  t.equal(statusOf('/weighted'), 502, 'weighted cluster beats route');
  t.equal(statusOf('/plain'), 503, 'route configuration level (vhost has only another filter)');

  const quiet = setup(
    {},
    {
      rc: routeConfig([
        vhost(
          'all',
          ['*'],
          [
            route(prefix('/f'), forward('svc'), { typedPerFilterConfig: { [NAME]: fault(500) } }),
            route(prefix('/'), forward('svc')),
          ],
        ),
      ]),
    },
  );
  t.equal(quiet.create(quiet.stream('/other')), null, 'an unfaulted route creates nothing');
  t.not(quiet.create(quiet.stream('/f')), null);
});
