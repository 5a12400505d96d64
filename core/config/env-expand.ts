// ${VAR} and ${VAR:-default} expansion inside config strings; `$${...}` escapes to a literal `${...}`.
// Shell semantics for `:-`: the default applies when the variable is unset or empty.

export interface EnvIssue {
  code: 'DGP_ERR_CONFIG_ENV_UNSET' | 'DGP_ERR_CONFIG_ENV_SYNTAX';
  /** Offset of the `$` in the input string. */
  offset: number;
  /** The placeholder text as written, e.g. "${OPENAI_API_KEY}". */
  text: string;
  /** The variable name, when the placeholder parsed. */
  name?: string;
  message: string;
}

export interface Expansion {
  value: string;
  /** Names of the variables that were substituted (set or defaulted), in order. */
  used: string[];
  issues: EnvIssue[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands every placeholder in `input`; unset variables without a default become issues (and expand to ''). */
export function expandEnv(input: string, env: NodeJS.ProcessEnv): Expansion {
  if (!input.includes('$')) return { value: input, used: [], issues: [] };
  let out = '';
  const used: string[] = [];
  const issues: EnvIssue[] = [];
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf('$', i);
    if (dollar < 0) {
      out += input.slice(i);
      break;
    }
    out += input.slice(i, dollar);
    if (input.startsWith('$${', dollar)) {
      // Escaped: keep one `$` and copy the placeholder through untouched.
      const close = input.indexOf('}', dollar + 3);
      const end = close < 0 ? input.length : close + 1;
      out += input.slice(dollar + 1, end);
      i = end;
      continue;
    }
    if (!input.startsWith('${', dollar)) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = input.indexOf('}', dollar + 2);
    if (close < 0) {
      const text = input.slice(dollar);
      issues.push({ code: 'DGP_ERR_CONFIG_ENV_SYNTAX', offset: dollar, text, message: `unterminated placeholder ${JSON.stringify(text)}: missing "}"` });
      out += text;
      break;
    }
    const text = input.slice(dollar, close + 1);
    const body = input.slice(dollar + 2, close);
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    i = close + 1;
    if (!NAME.test(name)) {
      issues.push({ code: 'DGP_ERR_CONFIG_ENV_SYNTAX', offset: dollar, text, message: `malformed placeholder ${text}: the name must be letters, digits and underscores` });
      continue;
    }
    const val = env[name];
    if (sep >= 0) {
      out += val === undefined || val === '' ? body.slice(sep + 2) : val;
      used.push(name);
    } else if (val === undefined) {
      issues.push({ code: 'DGP_ERR_CONFIG_ENV_UNSET', offset: dollar, text, name, message: `environment variable ${name} is not set (used as ${text})` });
    } else {
      out += val;
      used.push(name);
    }
  }
  return { value: out, used, issues };
}
