// ${VAR} expansion rules on single strings.
import t from 'tap';
import { expandEnv } from '../../../core/config/env-expand.js';

const env = { KEY: 'sk-1', HOST: 'api.example.com', EMPTY: '' };

t.test('set, default, empty default, several per string', async (t) => {
  t.same(expandEnv('${KEY}', env), { value: 'sk-1', used: ['KEY'], issues: [] });
  t.equal(expandEnv('${MISSING:-fallback}', env).value, 'fallback');
  t.equal(expandEnv('${EMPTY:-fallback}', env).value, 'fallback', 'an empty variable takes the default (shell :-)');
  t.equal(expandEnv('${EMPTY}', env).value, '', 'an empty but set variable is not an error');
  t.equal(expandEnv('${MISSING:-}', env).value, '');
  t.equal(expandEnv('https://${HOST}:${PORT:-443}/v1?k=${KEY}', env).value, 'https://api.example.com:443/v1?k=sk-1');
  t.equal(expandEnv('${MISSING:-a:-b}', env).value, 'a:-b', 'the default runs to the closing brace');
});

t.test('escapes and lone dollars stay literal', async (t) => {
  t.equal(expandEnv('$${KEY}', env).value, '${KEY}');
  t.equal(expandEnv('cost: $5 and $$ and $KEY', env).value, 'cost: $5 and $$ and $KEY');
  t.equal(expandEnv('$${KEY} ${KEY}', env).value, '${KEY} sk-1');
});

t.test('unset variables and malformed placeholders are issues', async (t) => {
  const unset = expandEnv('Bearer ${NOPE}', env);
  t.equal(unset.value, 'Bearer ');
  t.same(unset.issues, [{ code: 'DGP_ERR_CONFIG_ENV_UNSET', offset: 7, text: '${NOPE}', name: 'NOPE', message: 'environment variable NOPE is not set (used as ${NOPE})' }]);
  t.same(expandEnv('${}', env).issues.map((i) => i.code), ['DGP_ERR_CONFIG_ENV_SYNTAX']);
  t.same(expandEnv('${1X}', env).issues.map((i) => i.code), ['DGP_ERR_CONFIG_ENV_SYNTAX']);
  t.match(expandEnv('x ${KEY', env).issues[0]!.message, /unterminated placeholder "\$\{KEY": missing "}"/);
});
