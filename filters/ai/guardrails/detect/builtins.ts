// The built-in detectors: one candidate regex per entity, each written so that a match attempt can only start at a
// token boundary (a lookbehind) and no two quantifiers compete for the same characters — linear in the text, so they
// may run on the event loop over a bounded stream window — and a validator that keeps only real identifiers.
import { isCardNumber, isEmail, isIban, isIpv4Address, isIpv6Address, isJwt, isPhone, isSsn, isVnCitizenId } from './validators.js';

export interface PatternSpec {
  readonly source: string;
  readonly flags: string;
}

export interface Detector {
  /** The entity (pii), secret kind, or the rule name of a custom pattern. */
  readonly entity: string;
  /** What replaces a match under `redact`, e.g. `[EMAIL]`. */
  readonly label: string;
  readonly pattern: PatternSpec;
  readonly validate?: (match: string) => boolean;
  /**
   * A match may run to the end of the text without its closing marker (a PEM block still streaming): everything
   * until `closer` is part of it. Only the stream hold-back uses this.
   */
  readonly closer?: RegExp;
  /** Built-ins are linear and run on the event loop; user patterns run in the worker pool with a time budget. */
  readonly trusted: boolean;
  /**
   * A cheap test every match implies (a literal such as `@`, a digit pair): a text without it is not scanned by
   * `pattern` at all. Most texts carry no candidate of most entities, and the gate costs a fraction of the pattern's
   * lookbehind at every position.
   */
  readonly gate?: RegExp;
  /** Characters every match contains (TRIGGER bits, all required): tested before `gate`, from one pass over the text. */
  readonly needs?: number;
}

/** Trigger characters, one bit each: a text's set is computed once (triggersOf) and shared by every detector. */
export const TRIGGER = { at: 1, colon: 2, dash: 4, underscore: 8, digit: 16, dot: 32, A: 64, J: 128 } as const;

const TRIGGER_OF = new Uint8Array(128);
TRIGGER_OF[0x40] = TRIGGER.at;
TRIGGER_OF[0x3a] = TRIGGER.colon;
TRIGGER_OF[0x2d] = TRIGGER.dash;
TRIGGER_OF[0x5f] = TRIGGER.underscore;
TRIGGER_OF[0x2e] = TRIGGER.dot;
TRIGGER_OF[0x41] = TRIGGER.A;
TRIGGER_OF[0x4a] = TRIGGER.J;
for (let c = 0x30; c <= 0x39; c++) TRIGGER_OF[c] = TRIGGER.digit;
const ALL_TRIGGERS = 255;

/** The trigger characters present in `text` (stops early once every one was seen). */
export function triggersOf(text: string): number {
  let m = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      m |= TRIGGER_OF[c]!;
      if (m === ALL_TRIGGERS) break;
    }
  }
  return m;
}

const p = (source: string, flags = ''): PatternSpec => ({ source, flags });

export const PII_ENTITIES = ['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'vn_citizen_id'] as const;
export type PiiEntity = (typeof PII_ENTITIES)[number];

export const SECRET_KINDS = ['openai_key', 'aws_access_key', 'github_token', 'slack_token', 'private_key', 'jwt'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** Two digits, adjacent or one separator apart: every phone and card candidate has such a pair. */
const DIGIT_PAIR = /\d[ .-]?\d/;

const PII: Record<PiiEntity, Detector[]> = {
  email: [{ entity: 'email', label: '[EMAIL]', trusted: true, gate: /@/, needs: TRIGGER.at, validate: isEmail, pattern: p('(?<![\\w.%+-])[\\w%+-](?:[\\w.%+-]{0,63})@(?:[A-Za-z0-9-]{1,63}\\.){1,8}[A-Za-z]{2,24}(?![\\w-])') }],
  phone: [
    {
      entity: 'phone',
      label: '[PHONE]',
      trusted: true,
      gate: DIGIT_PAIR,
      needs: TRIGGER.digit,
      validate: isPhone,
      // E.164 with optional separators; NANP (212) 555-0100 / 212-555-0100; VN 0912 345 678, 028 3823 4567.
      pattern: p('(?<![\\w+])(?:\\+[1-9](?:[ .-]?\\d){7,14}|(?:1[ .-]?)?(?:\\(\\d{3}\\) ?|\\d{3}[ .-])\\d{3}[ .-]\\d{4}|0(?:[35789](?:[ .-]?\\d){8}|2(?:[ .-]?\\d){9}))(?![\\w])'),
    },
  ],
  card: [{ entity: 'card', label: '[CARD]', trusted: true, gate: DIGIT_PAIR, needs: TRIGGER.digit, validate: isCardNumber, pattern: p('(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d])') }],
  iban: [{ entity: 'iban', label: '[IBAN]', trusted: true, gate: /[A-Z]{2}\d\d/, needs: TRIGGER.digit, validate: isIban, pattern: p('(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])') }],
  ssn: [{ entity: 'ssn', label: '[SSN]', trusted: true, gate: /\d{3}[- ]\d\d/, needs: TRIGGER.digit, validate: isSsn, pattern: p('(?<![\\d-])\\d{3}([- ])\\d{2}\\1\\d{4}(?![\\d-])') }],
  ip: [
    { entity: 'ip', label: '[IP]', trusted: true, gate: /\d\.\d/, needs: TRIGGER.digit | TRIGGER.dot, validate: isIpv4Address, pattern: p('(?<![\\d.])\\d{1,3}(?:\\.\\d{1,3}){3}(?!\\.?\\d)') },
    { entity: 'ip', label: '[IP]', trusted: true, gate: /:[0-9A-Fa-f]{0,4}:/, needs: TRIGGER.colon, validate: isIpv6Address, pattern: p('(?<![\\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\\w:])') },
  ],
  vn_citizen_id: [{ entity: 'vn_citizen_id', label: '[VN_CITIZEN_ID]', trusted: true, gate: /\d{12}/, needs: TRIGGER.digit, validate: isVnCitizenId, pattern: p('(?<![\\d-])\\d{12}(?![\\d])') }],
};

const PEM_BEGIN = '-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----';
const PEM_END = '-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----';

const SECRETS: Record<SecretKind, Detector> = {
  openai_key: { entity: 'openai_key', label: '[SECRET]', trusted: true, gate: /sk-/, needs: TRIGGER.dash, pattern: p('(?<![\\w-])sk-[A-Za-z0-9_-]{20,}') },
  aws_access_key: { entity: 'aws_access_key', label: '[SECRET]', trusted: true, gate: /AKIA|ASIA/, needs: TRIGGER.A, pattern: p('(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])') },
  github_token: { entity: 'github_token', label: '[SECRET]', trusted: true, gate: /gh[pousr]_|github_pat_/, needs: TRIGGER.underscore, pattern: p('(?<![\\w])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{40,251})') },
  slack_token: { entity: 'slack_token', label: '[SECRET]', trusted: true, gate: /xox[bpare]-/, needs: TRIGGER.dash, pattern: p('(?<![\\w-])xox[bpare]-[A-Za-z0-9-]{10,}') },
  // The block runs to its END line, or to the end of the text while it is still streaming.
  private_key: { entity: 'private_key', label: '[SECRET]', trusted: true, gate: /-----BEGIN /, needs: TRIGGER.dash, closer: new RegExp(PEM_END), pattern: p(`${PEM_BEGIN}(?:[\\s\\S]*?${PEM_END}|[\\s\\S]*$)`) },
  jwt: { entity: 'jwt', label: '[SECRET]', trusted: true, gate: /eyJ/, needs: TRIGGER.J | TRIGGER.dot, validate: isJwt, pattern: p('(?<![\\w-])eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}') },
};

export function piiDetectors(entities: readonly PiiEntity[]): Detector[] {
  return [...new Set(entities)].flatMap((e) => PII[e]);
}

export function secretDetectors(kinds: readonly SecretKind[] = SECRET_KINDS): Detector[] {
  return [...new Set(kinds)].map((k) => SECRETS[k]);
}
