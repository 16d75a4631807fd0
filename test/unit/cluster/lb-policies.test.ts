import t from 'tap';
import { runLbSuite } from './lb-suite.js';

runLbSuite(t, 'ROUND_ROBIN', { honoursWeights: true, tolerance: 0.05 });
runLbSuite(t, 'LEAST_REQUEST', { honoursWeights: true, tolerance: 0.1 });
runLbSuite(t, 'RANDOM', { honoursWeights: false, tolerance: 0.1 });
runLbSuite(t, 'RING_HASH', { honoursWeights: true, tolerance: 0.2 });
runLbSuite(t, 'MAGLEV', { honoursWeights: true, tolerance: 0.1 });
