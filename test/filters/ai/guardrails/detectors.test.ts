// Every built-in detector with true and false positives: the candidate regexes and their validators (Luhn, mod-97,
// SSN numbering, address forms, VN province codes), the secret shapes, and redaction labels.
import t from 'tap';
import { piiDetectors, secretDetectors } from '../../../../filters/ai/guardrails/detect/builtins.js';
import { redactText, scanInline } from '../../../../filters/ai/guardrails/detect/scan.js';

const pii = (entity: Parameters<typeof piiDetectors>[0][number], text: string): string[] =>
  scanInline(piiDetectors([entity]), [text]).map((f) => text.slice(f.start, f.end));
const secrets = (text: string): string[] => scanInline(secretDetectors(), [text]).map((f) => `${f.detector.entity}:${text.slice(f.start, f.end)}`);

t.test('email', async (t) => {
  t.same(pii('email', 'write to jane.doe+news@mail.example.co.uk today'), ['jane.doe+news@mail.example.co.uk']);
  t.same(pii('email', 'ping bob_99@example.io.'), ['bob_99@example.io']);
  t.same(pii('email', 'not an email: user@localhost, @handle, a@b.c, x..y@example.com'), []);
});

t.test('payment cards: Luhn-valid numbers are caught, Luhn-invalid ones pass', async (t) => {
  t.same(pii('card', 'card 4111 1111 1111 1111 exp 12/29'), ['4111 1111 1111 1111']);
  t.same(pii('card', 'amex 378282246310005 and mc 5555-5555-5555-4444'), ['378282246310005', '5555-5555-5555-4444']);
  t.same(pii('card', 'order 4111 1111 1111 1112, ref 1234567890123, 0000000000000000'), []);
  t.same(pii('card', 'mixed 4111 1111-1111 1111'), [], 'mixed separators are not a card number');
});

t.test('IBAN: mod-97 decides', async (t) => {
  t.same(pii('iban', 'pay to GB82 WEST 1234 5698 7654 32 please'), ['GB82 WEST 1234 5698 7654 32']);
  t.same(pii('iban', 'DE89370400440532013000'), ['DE89370400440532013000']);
  t.same(pii('iban', 'GB83 WEST 1234 5698 7654 32 and DE89370400440532013001'), []);
});

t.test('US SSN: area, group and serial rules', async (t) => {
  t.same(pii('ssn', 'ssn 123-45-6789 and 536 22 1234'), ['123-45-6789', '536 22 1234']);
  t.same(pii('ssn', '000-12-3456 666-12-3456 901-12-3456 123-00-4567 123-45-0000 078-05-1120 123-45 6789'), []);
});

t.test('IP addresses: v4 octets, v6 forms', async (t) => {
  t.same(pii('ip', 'from 192.168.10.25 and 8.8.8.8.'), ['192.168.10.25', '8.8.8.8']);
  t.same(pii('ip', 'version 1.2.3 or 256.1.1.1 or 01.2.3.4 or 1.2.3.4.5'), []);
  t.same(pii('ip', 'v6 2001:db8:85a3::8a2e:370:7334 and fe80:0:0:0:200:f8ff:fe21:67cf'), ['2001:db8:85a3::8a2e:370:7334', 'fe80:0:0:0:200:f8ff:fe21:67cf']);
  t.same(pii('ip', 'std::map at 12:30:45, a::b'), []);
});

t.test('phone: E.164, NANP and Vietnamese national formats', async (t) => {
  t.same(pii('phone', 'call +1 415 555 2671 or +84 912 345 678 or +442071838750'), ['+1 415 555 2671', '+84 912 345 678', '+442071838750']);
  t.same(pii('phone', 'US (212) 555-0100 and 212-555-0100'), ['(212) 555-0100', '212-555-0100']);
  t.same(pii('phone', 'VN 0912345678, 090 123 4567, 028 3823 4567'), ['0912345678', '090 123 4567', '028 3823 4567']);
  t.same(pii('phone', 'date 2024-01-15, id 0412345678, +84 123, 112-555-0100, +12'), []);
});

t.test('VN citizen id: 12 digits with a province code', async (t) => {
  t.same(pii('vn_citizen_id', 'CCCD 001203012345 and 079099001234'), ['001203012345', '079099001234']);
  t.same(pii('vn_citizen_id', '003203012345 (no province 003), 0012030123456 (13 digits), 12345678901'), []);
});

t.test('secrets: provider keys, tokens, PEM keys, JWTs', async (t) => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
  t.same(secrets(`key sk-proj-abcdefghijklmnopqrstuvwxyz0123 done`), ['openai_key:sk-proj-abcdefghijklmnopqrstuvwxyz0123']);
  t.same(secrets('aws AKIAIOSFODNN7EXAMPLE.'), ['aws_access_key:AKIAIOSFODNN7EXAMPLE']);
  t.same(secrets(`gh ghp_${'a'.repeat(36)} slack xoxb-1234567890-abcdef`), [`github_token:ghp_${'a'.repeat(36)}`, 'slack_token:xoxb-1234567890-abcdef']);
  t.same(secrets(`jwt ${jwt}`), [`jwt:${jwt}`]);
  t.same(secrets(`x\n${pem}\ny`), [`private_key:${pem}`]);
  t.same(secrets('task-manager sk-short AKIA1234 ghp_short xoxc-123 eyJub3Rqc29u.eyJhYmNkZWY.abcdefghijkl -----BEGIN PUBLIC KEY-----'), []);
});

t.test('redaction writes the labels in place', async (t) => {
  const text = 'mail a@example.com, card 4111111111111111, ip 10.0.0.1, id 001203012345, ssn 123-45-6789, iban DE89370400440532013000, tel +84912345678';
  const found = scanInline(piiDetectors(['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'vn_citizen_id']), [text]);
  t.equal(redactText(text, found), 'mail [EMAIL], card [CARD], ip [IP], id [VN_CITIZEN_ID], ssn [SSN], iban [IBAN], tel [PHONE]');
  t.equal(redactText('k=sk-abcdefghijklmnopqrstuvwxyz', scanInline(secretDetectors(), ['k=sk-abcdefghijklmnopqrstuvwxyz'])), 'k=[SECRET]');
});
