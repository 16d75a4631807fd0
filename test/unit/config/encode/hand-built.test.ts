import t from 'tap';
import type { Bootstrap } from '../../../../lib/config/model.js';
import { CLUSTERS, richBootstrap } from './rich-model.js';
import { roundTrip, withoutSources } from './round-trip.js';

t.test('a hand-built model with every optional field round-trips', async (t) => {
  const m = richBootstrap();
  t.strictSame(withoutSources(roundTrip(m)), withoutSources(m));
});

t.test('each cluster alone round-trips (one lb_config section each)', async (t) => {
  for (const c of CLUSTERS) {
    const m: Bootstrap = {
      sources: [],
      node: { id: '', cluster: '' },
      admin: null,
      listeners: [],
      clusters: [c],
    };
    t.strictSame(roundTrip(m).clusters, [c], c.name);
  }
});

t.test('an empty model round-trips', async (t) => {
  const m: Bootstrap = {
    sources: [],
    node: { id: '', cluster: '' },
    admin: null,
    listeners: [],
    clusters: [],
  };
  t.strictSame(withoutSources(roundTrip(m)), m);
});
