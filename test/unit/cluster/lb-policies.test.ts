import t from 'tap';
import { runLbSuite } from './lb-suite.js';

runLbSuite(t, 'ROUND_ROBIN', { honoursWeights: true, tolerance: 0.05 });
runLbSuite(t, 'LEAST_REQUEST', { honoursWeights: true, tolerance: 0.1 });
runLbSuite(t, 'RANDOM', { honoursWeights: false, tolerance: 0.1 });
// Envoy's ring re-scales every host's point count with N (to keep minimum_ring_size), so
// survivors also trade some keys: up to ~1.6/N move, against ~1/N for maglev.
runLbSuite(t, 'RING_HASH', { honoursWeights: true, tolerance: 0.2, keyMovementLimit: 1.7 });
runLbSuite(t, 'MAGLEV', { honoursWeights: true, tolerance: 0.1, keyMovementLimit: 1.1 });
