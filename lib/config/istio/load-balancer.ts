/** `LoadBalancerSettings` of a DestinationRule traffic policy. */
import type { FieldReader } from '../reader.js';
import { boolValue, durationField } from './istio-common.js';
import type { ConsistentHashLb, LoadBalancerSettings, LocalityLbSetting } from './model.js';

const SIMPLE = [
  'UNSPECIFIED',
  'LEAST_CONN',
  'RANDOM',
  'PASSTHROUGH',
  'ROUND_ROBIN',
  'LEAST_REQUEST',
] as const;
// Envoy's Maglev limit, which istiod enforces.
const MAGLEV_MAX = 5_000_011;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n < 4) return true;
  if (n % 2 === 0) return false;
  for (let f = 3; f * f <= n; f += 2) if (n % f === 0) return false;
  return true;
}

function readConsistentHash(r: FieldReader): ConsistentHashLb | null {
  const key = r.oneOf(['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'], true);
  let hashKey: ConsistentHashLb['hashKey'] | null = null;
  if (key === 'httpHeaderName' || key === 'httpQueryParameterName') {
    const name = r.string(key) ?? '';
    if (name === '') r.error(key, 'must not be empty');
    else hashKey = { type: key, name };
  } else if (key === 'httpCookie') {
    const c = r.object('httpCookie');
    if (c !== undefined) {
      const name = c.requiredString('name');
      hashKey = {
        type: 'httpCookie',
        name,
        path: c.string('path') ?? '',
        ttlMs: durationField(c, 'ttl', false),
      };
      c.finish({ unsupported: { attributes: '' } });
    }
  } else if (key === 'useSourceIp') {
    if (r.bool('useSourceIp') === false) r.error('useSourceIp', 'must be true when it is the hash key');
    else hashKey = { type: 'useSourceIp' };
  }
  const algo = r.oneOf(['ringHash', 'maglev'], false);
  let hashAlgorithm: ConsistentHashLb['hashAlgorithm'] = null;
  if (algo === 'ringHash') {
    const h = r.object('ringHash');
    hashAlgorithm = { type: 'ringHash', minimumRingSize: h?.int('minimumRingSize') ?? 0 };
    h?.finish();
  } else if (algo === 'maglev') {
    const m = r.object('maglev');
    const tableSize = m?.int('tableSize') ?? 0;
    if (m !== undefined) {
      if (tableSize === 0) m.error(null, 'tableSize must be set for maglev');
      else if (tableSize >= MAGLEV_MAX) m.error('tableSize', `must be less than ${MAGLEV_MAX}`);
      else if (!isPrime(tableSize)) m.error('tableSize', `${tableSize} is not a prime number`);
      m.finish();
    }
    hashAlgorithm = { type: 'maglev', tableSize };
  }
  const minimumRingSize = r.int('minimumRingSize') ?? 0;
  if (minimumRingSize !== 0) {
    if (algo !== undefined) r.error('minimumRingSize', `cannot be combined with ${algo}`);
    else r.warn('minimumRingSize', 'deprecated; use ringHash.minimumRingSize');
  }
  r.finish();
  return hashKey === null ? null : { hashKey, hashAlgorithm, minimumRingSize };
}

function readLocality(r: FieldReader): LocalityLbSetting {
  const distribute = r.objects('distribute').map((d) => {
    const from = d.string('from') ?? '';
    const m = d.map('to');
    const to: Record<string, number> = {};
    let total = 0;
    for (const k of m?.names() ?? []) {
      const w = m?.int(k) ?? 0;
      to[k] = w;
      total += w;
    }
    if (m !== undefined && total !== 100)
      d.error('to', `the weights must add up to 100 (they add up to ${total})`);
    d.finish();
    return { from, to };
  });
  const failover = r.objects('failover').map((f) => {
    const out = { from: f.string('from') ?? '', to: f.string('to') ?? '' };
    if (out.from !== '' && out.from === out.to) f.error('to', 'must differ from "from"');
    f.finish();
    return out;
  });
  if (distribute.length > 0 && (failover.length > 0 || r.has('failoverPriority'))) {
    r.error(null, 'distribute cannot be combined with failover or failoverPriority');
  }
  const out: LocalityLbSetting = {
    distribute,
    failover,
    failoverPriority: r.strings('failoverPriority'),
    enabled: boolValue(r, 'enabled'),
  };
  r.finish();
  return out;
}

/** `LoadBalancerSettings`: `simple` or `consistentHash`, locality settings and warm-up. */
export function readLoadBalancer(r: FieldReader): LoadBalancerSettings {
  const policy = r.oneOf(['simple', 'consistentHash'], false);
  const simple = policy === 'simple' ? (r.enumValue('simple', SIMPLE) ?? 'UNSPECIFIED') : 'UNSPECIFIED';
  const ch = policy === 'consistentHash' ? r.object('consistentHash') : undefined;
  const loc = r.object('localityLbSetting');
  const w = r.object('warmup');
  let warmup: LoadBalancerSettings['warmup'] = null;
  if (w !== undefined) {
    if (!w.has('duration')) w.error(null, 'missing required field "duration"');
    warmup = {
      durationMs: durationField(w, 'duration') ?? 0,
      minimumPercent: w.number('minimumPercent', 0, 100) ?? null,
      aggression: w.number('aggression', 0, Number.MAX_VALUE) ?? null,
    };
    if (warmup.aggression !== null && warmup.aggression < 1) {
      w.error('aggression', `${warmup.aggression} is out of range; must be at least 1`);
    }
    w.finish();
  }
  const out: LoadBalancerSettings = {
    simple,
    consistentHash: ch === undefined ? null : readConsistentHash(ch),
    localityLbSetting: loc === undefined ? null : readLocality(loc),
    warmupDurationMs: durationField(r, 'warmupDurationSecs'),
    warmup,
  };
  if (r.has('warmup') && r.has('warmupDurationSecs'))
    r.error(null, 'only one of warmup and warmupDurationSecs may be set');
  r.finish();
  return out;
}
