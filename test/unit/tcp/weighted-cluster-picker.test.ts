import t from 'tap';
import { WeightedClusterPicker } from '../../../lib/tcp/weighted-cluster-picker.js';
import type { Random } from '../../../lib/util/random.js';

function fixed(...ints: number[]): Random {
  let i = 0;
  return { next: () => 0, int: () => ints[i++ % ints.length]! };
}

t.test('picks by cumulative weight', async (t) => {
  const p = new WeightedClusterPicker(
    [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 3 },
    ],
    fixed(0, 1, 3),
  );
  t.same([p.pick(), p.pick(), p.pick()], ['a', 'b', 'b']);
});

t.test('one cluster needs no randomness; zero weights are skipped; none → null', async (t) => {
  const never: Random = {
    next: () => (t.fail('random used') ? 0 : 0),
    int: () => (t.fail('random used') ? 0 : 0),
  };
  t.equal(new WeightedClusterPicker([{ name: 'only', weight: 1 }], never).pick(), 'only');
  t.equal(
    new WeightedClusterPicker(
      [
        { name: 'z', weight: 0 },
        { name: 'y', weight: 2 },
      ],
      never,
    ).pick(),
    'y',
  );
  t.equal(new WeightedClusterPicker([], never).pick(), null);
});
