// dgp.filter.ai.guardrails' error codes, registered with defineErrorCode so docs/errors.md lists them. A blocked
// prompt is the client's to change (400, OpenAI's and Azure's code content_filter); a check that cannot decide under
// fail: closed blocks the same way, so clients see one contract.
import { defineErrorCode } from '../../../core/index.js';

const owner = 'dgp.filter.ai.guardrails';

export const promptBlocked = defineErrorCode('DGP_ERR_GUARDRAIL_BLOCKED', 400, {
  owner,
  summary: 'An input guardrail refused the prompt (PII, a secret, a denied pattern, no allowed pattern, too many tokens, a webhook verdict, or a check that could not decide under fail: closed).',
  fix: 'Remove what the named rule objects to and send again; the message names the rule, never the matched text. OpenAI clients read code content_filter.',
});
export const outputUnreadable = defineErrorCode('DGP_ERR_GUARDRAIL_UNREADABLE', 502, {
  owner,
  summary: 'An output guardrail could not read the answer (compressed, or not the client API\'s format), so it was not passed on unchecked.',
  fix: 'The filter asks the upstream for identity encoding; check that the upstream honours accept-encoding: identity.',
});
export const invalidConfig = defineErrorCode('DGP_ERR_GUARDRAIL_CONFIG', 500, {
  owner,
  summary: 'A guardrail check is inconsistent: a field its kind does not use, an action it cannot take, a pattern that does not compile, or a duplicate name.',
  fix: 'Follow the message (it names the check by its position and name); docs/guardrails.md lists which fields and actions each check takes.',
});
