// Load-time checks of the guardrails config beyond its schema: fields a check kind does not use, actions it cannot
// take, patterns that do not compile, duplicate names, input-only fields on output; and the (?i) flag syntax.
import t from 'tap';
import { validatePluginConfig } from '../../../../core/registry/index.js';
import { compileConfig, userPattern } from '../../../../filters/ai/guardrails/compile.js';
import manifest from '../../../../filters/ai/guardrails/index.js';
import type { GuardrailsConfig } from '../../../../filters/ai/guardrails/schema.js';
import { proxyConf } from '../../../../core/testing/index.js';
import { dgp, tmpConfig } from '../../../core/cli/helpers.js';

const config = (raw: unknown): GuardrailsConfig => {
  const { config: c, issues } = validatePluginConfig<GuardrailsConfig>({ manifest }, raw);
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  return c as GuardrailsConfig;
};
const compile = (raw: unknown) => compileConfig(config(raw));

t.test('defaults: pii redacts every entity, other checks block, names follow the kind', async (t) => {
  const c = compile({ input: [{ check: 'pii' }, { check: 'secrets' }, { check: 'deny', words: ['x'] }, { check: 'deny', words: ['y'] }] });
  t.same(c.input.map((r) => `${r.name}:${r.action}:${r.fail}:${r.scope}`), ['pii:redact:closed:all', 'secrets:block:closed:all', 'deny:block:closed:all', 'deny#2:block:closed:all']);
  t.same([...new Set(c.input[0]!.detectors.map((d) => d.entity))], ['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'vn_citizen_id']);
  t.equal(c.holdback, 256);
  t.equal(c.input[0]!.budgetMs, 250);
});

t.test('load-time errors name the check, at validation (dgp validate) and in create', async (t) => {
  const bad = (raw: unknown, msg: RegExp) => {
    const { config: c, issues } = validatePluginConfig<GuardrailsConfig>({ manifest }, raw);
    t.match(issues, [{ pointer: '', message: msg }], `validation reports ${msg}`);
    t.throws(() => compileConfig(c), { code: 'DGP_ERR_GUARDRAIL_CONFIG', message: msg });
  };
  bad({ input: [{ check: 'secrets', patterns: ['x'] }] }, /input\[0\]: check secrets does not use "patterns"/);
  bad({ input: [{ check: 'allow', words: ['x'], action: 'redact' }] }, /input\[0\]: check allow cannot redact/);
  bad({ input: [{ check: 'deny' }] }, /needs patterns or words/);
  bad({ input: [{ check: 'deny', patterns: ['(unclosed'] }] }, /pattern 0 does not compile/);
  bad({ input: [{ check: 'max_tokens' }] }, /needs limit/);
  bad({ input: [{ check: 'webhook' }] }, /needs url/);
  bad({ input: [{ check: 'pii', name: 'a' }, { check: 'secrets', name: 'a' }] }, /two checks are named "a"/);
  bad({ output: [{ check: 'pii', roles: ['user'] }] }, /roles and scope apply to input checks only/);
  bad({ output: [{ check: 'max_tokens', limit: 5 }] }, /applies to input only/);
  bad({ output: [{ check: 'webhook', url: 'http://127.0.0.1:1/x', action: 'redact' }] }, /output webhook cannot redact/);
});

t.test('inline flags', async (t) => {
  t.same(userPattern('(?i)ignore previous'), { source: 'ignore previous', flags: 'i' });
  t.same(userPattern('(?is)a.b'), { source: 'a.b', flags: 'is' });
  t.same(userPattern('plain'), { source: 'plain', flags: '' });
});

t.test('custom named patterns redact as [NAME]', async (t) => {
  const c = compile({ input: [{ check: 'pii', entities: ['email'], custom: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }, { name: 'case', pattern: 'C#\\d+', label: '<case>' }] }] });
  t.same(c.input[0]!.detectors.map((d) => `${d.entity}:${d.label}:${d.trusted}`), ['email:[EMAIL]:true', 'employee_id:[EMPLOYEE_ID]:false', 'case:<case>:false']);
});

t.test('dgp validate reports a pattern that does not compile, where start would, with its line', async (t) => {
  const yaml = proxyConf({
    prefix: '/',
    cluster: 'c',
    filters: `
                - name: dgp.filter.ai.guardrails
                  config:
                    input:
                      - { check: deny, patterns: ["(unclosed"], action: block }
                - name: dgp.filter.llm.proxy
                  config: {}`,
    clusters: `
    - name: c
      endpoints:
        - {id: e, socket_address: {address: 127.0.0.1, port: 9}, llm_meta: {provider: openai}}`,
  });
  const dir = tmpConfig(yaml);
  const r = dgp(['validate', '--config-dir', dir]);
  t.equal(r.status, 1, 'validate fails');
  // The finding points at the filter's config: the line after its name.
  const line = yaml.split('\n').findIndex((l) => l.includes('name: dgp.filter.ai.guardrails')) + 2;
  t.match(r.stdout + r.stderr, new RegExp(`conf\\.yaml:${line}:\\d+ error DGP_ERR_PLUGIN_CONFIG .*dgp\\.filter\\.ai\\.guardrails: input\\[0\\]: pattern 0 does not compile: Invalid regular expression`));
});
