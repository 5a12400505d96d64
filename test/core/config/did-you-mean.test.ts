// Suggestions for misspelt keys and values.
import t from 'tap';
import { didYouMean, editDistance, suggest } from '../../../core/config/did-you-mean.js';

t.test('distance counts transpositions as one edit', async (t) => {
  t.equal(editDistance('lb_policy', 'lb_poilcy'), 1);
  t.equal(editDistance('abc', ''), 3);
  t.equal(editDistance('kitten', 'sitting'), 3);
});

t.test('separator and case variants match first', async (t) => {
  t.equal(suggest('round_robin', ['Rand', 'RoundRobin', 'RingHashing']), 'RoundRobin');
  t.equal(suggest('lbpolicy', ['lb_policy', 'name']), 'lb_policy');
  t.equal(suggest('unhealthy', ['UnHealthy']), 'UnHealthy');
});

t.test('far-off words get no suggestion', async (t) => {
  t.equal(suggest('lb', ['Rand', 'RoundRobin', 'RingHashing', 'MaglevHashing', 'WeightRandom']), undefined);
  t.equal(didYouMean('zzz', ['url', 'mode']), undefined);
  t.equal(didYouMean('retyr', ['retry', 'url']), 'did you mean "retry"?');
});
