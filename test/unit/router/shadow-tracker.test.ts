import t from 'tap';
import type { Dispatcher } from 'undici';
import type { Cluster } from '../../../lib/cluster/types.js';
import { ShadowTracker } from '../../../lib/router/shadow-tracker.js';
import { UpstreamOverflowError } from '../../../lib/upstream/upstream-errors.js';
import type { Clock } from '../../../lib/util/clock.js';
import { eventually } from '../../helpers/wait.js';
import { clusterConfig, fakeClusterStats, fakeHost } from '../cluster/fixtures.js';

interface Call {
  readonly opts: Dispatcher.DispatchOptions;
  readonly handler: Dispatcher.DispatchHandler;
}

/** A cluster with one fake host whose pool records dispatches (or fails them like a breaker). */
function setup(opts: { overflow?: boolean; noHost?: boolean } = {}) {
  const calls: Call[] = [];
  const responses: number[] = [];
  const stats = { ...fakeClusterStats(), recordResponse: (code: number) => responses.push(code) };
  const host = fakeHost(1);
  host.dispatcher = () =>
    ({
      dispatch(o: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        if (opts.overflow === true) {
          handler.onError?.(new UpstreamOverflowError());
          return false;
        }
        calls.push({ opts: o, handler });
        return true;
      },
    }) as unknown as Dispatcher;
  const cluster = {
    name: 'mirror',
    config: clusterConfig({ name: 'mirror' }),
    stats,
    chooseHost: () => (opts.noHost === true ? null : host),
  } as unknown as Cluster;
  let now = 1000;
  const clock: Clock & { advance(ms: number): void } = {
    now: () => now,
    wallNow: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
  const tracker = new ShadowTracker(clock);
  return { calls, responses, stats, host, cluster, clock, tracker };
}

const REQ = { method: 'POST', path: '/p', headers: ['host', 'a-shadow'], body: Buffer.from('x') };

t.test('a shadow is counted, its response read and discarded, then forgotten', async (t) => {
  const s = setup();
  s.tracker.send(s.cluster, REQ, 0);
  t.equal(s.tracker.size, 1);
  t.equal(s.stats.upstreamRqTotal.value, 1);
  t.equal(s.stats.upstreamRqActive.value, 1);
  t.equal(s.calls.length, 1);
  t.equal(s.calls[0]!.opts.path, '/p');
  const h = s.calls[0]!.handler;
  h.onConnect?.(() => {});
  t.ok(
    h.onHeaders?.(500, [], () => {}, ''),
    'reads on',
  );
  t.ok(h.onData?.(Buffer.from('ignored')));
  s.clock.advance(7);
  h.onComplete?.([]);
  t.equal(s.tracker.size, 0);
  t.equal(s.stats.upstreamRqActive.value, 0);
  t.same(s.responses, [500]);
  t.same((s.stats.upstreamRqTime as unknown as { values: number[] }).values, [7]);
});

t.test('a reset counts as rx reset and a 503; an overflow only as a 503', async (t) => {
  const s = setup();
  s.tracker.send(s.cluster, REQ, 0);
  const h = s.calls[0]!.handler;
  h.onConnect?.(() => {});
  h.onError?.(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
  t.equal(s.stats.upstreamRqRxReset.value, 1);
  t.same(s.responses, [503]);
  t.equal(s.tracker.size, 0);

  const o = setup({ overflow: true });
  o.tracker.send(o.cluster, REQ, 0);
  t.equal(o.tracker.size, 0, 'dropped at once');
  t.equal(o.stats.upstreamRqActive.value, 0);
  t.equal(o.stats.upstreamRqRxReset.value, 0);
  t.same(o.responses, [503]);
});

t.test('no usable host: nothing is sent', async (t) => {
  const s = setup({ noHost: true });
  s.tracker.send(s.cluster, REQ, 0);
  t.equal(s.tracker.size, 0);
  t.equal(s.stats.upstreamRqTotal.value, 0);
});

t.test('the route timeout aborts a shadow that hangs', async (t) => {
  const s = setup();
  let aborted: Error | undefined;
  s.tracker.send(s.cluster, REQ, 5);
  s.tracker.send(s.cluster, REQ, 0);
  s.calls[0]!.handler.onConnect?.((err) => {
    aborted = err;
  });
  s.clock.advance(5);
  await eventually(() => s.tracker.size === 1, 'the timed-out shadow to end');
  t.equal(aborted?.message, 'shadow request timeout');
  t.equal(s.stats.upstreamRqTimeout.value, 1);
  t.equal(s.host.counters.rqTimeout, 1);
  t.same(s.responses, [504]);
  t.equal(s.stats.upstreamRqActive.value, 1, 'the shadow without a timeout is still running');
  s.tracker.close();
});

t.test('close() aborts every shadow in flight and refuses new ones', async (t) => {
  const s = setup();
  const aborts: string[] = [];
  for (let i = 0; i < 3; i++) {
    s.tracker.send(s.cluster, REQ, 60_000);
    s.calls[i]!.handler.onConnect?.((err) => aborts.push(err?.message ?? ''));
  }
  s.calls[1]!.handler.onComplete?.([]);
  t.equal(s.tracker.size, 2);
  s.tracker.close();
  t.equal(s.tracker.size, 0);
  t.same(aborts, ['proxy stopping', 'proxy stopping']);
  t.equal(s.stats.upstreamRqTxReset.value, 2);
  t.equal(s.stats.upstreamRqActive.value, 0);
  s.tracker.send(s.cluster, REQ, 0);
  t.equal(s.calls.length, 3, 'nothing sent after close');
});
