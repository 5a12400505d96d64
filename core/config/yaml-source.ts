// Parses conf.yaml into plain data plus a JSON-pointer → line:col map, expanding ${ENV} in string scalars and
// refusing prototype keys (also when smuggled in through `<<` merge keys or aliases). This file reads the text and
// turns the yaml package's errors into findings; yaml-builder.ts walks the document into data.
import { LineCounter, parseAllDocuments, type Node } from 'yaml';
import { CONFIG_LIMITS, ConfigLimitError, checkText, isStackOverflow, tooLarge } from './limits.js';
import { error, warning, type Finding, type SourcePos } from './problems.js';
import { Builder, MAX_NODES } from './yaml-builder.js';

export interface ParsedYaml {
  /** undefined when the file holds no document. */
  value: unknown;
  findings: Finding[];
  /** Position of each pointer: the key for object entries, the node for array items and the root. */
  positions: Map<string, SourcePos>;
  /** Pointers whose string came from ${...} expansion → the variable names used. */
  expanded: Map<string, string[]>;
}

/** Syntax errors listed before the rest are summed up in one line. */
const MAX_SYNTAX_ERRORS = 3;

export function parseConfigYaml(text: string, env: NodeJS.ProcessEnv): ParsedYaml {
  const result: ParsedYaml = { value: undefined, findings: [], positions: new Map(), expanded: new Map() };
  const refused = checkText(text);
  if (refused) {
    result.findings.push(refused);
    return result;
  }
  try {
    return parseChecked(text, env, result);
  } catch (err) {
    if (!isStackOverflow(err)) throw err;
    return { ...result, value: undefined, findings: [tooLarge('', `the config nests too deep to parse (more than ${CONFIG_LIMITS.maxDepth} levels)`)] };
  }
}

function parseChecked(text: string, env: NodeJS.ProcessEnv, result: ParsedYaml): ParsedYaml {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [];
  const index = list.findIndex((d) => d.contents !== null);
  let syntaxErrors = 0;
  for (const doc of index < 0 ? list : list.slice(0, index + 1)) {
    for (const e of doc.errors) {
      // One syntax error derails the parser for the rest of the file: the first few say where; the rest is noise.
      if (++syntaxErrors > MAX_SYNTAX_ERRORS) continue;
      // The yaml package reports its own stack overflow as a parse error: say what it means instead.
      if (/call stack/i.test(e.message)) {
        if (!result.findings.some((f) => f.code === 'DGP_ERR_CONFIG_TOO_LARGE')) result.findings.push(tooLarge('', `the config nests too deep to parse (more than ${CONFIG_LIMITS.maxDepth} levels)`));
      } else result.findings.push(withFlowHint(yamlFinding('error', e.message, e.linePos?.[0]), text));
    }
    for (const w of doc.warnings) result.findings.push(yamlFinding('warning', w.message, w.linePos?.[0]));
  }
  if (syntaxErrors > MAX_SYNTAX_ERRORS) {
    const last = result.findings.filter((f) => f.code === 'DGP_ERR_CONFIG_YAML' && f.severity === 'error').at(-1);
    result.findings.push({ ...error('DGP_ERR_CONFIG_YAML', '', `${syntaxErrors - MAX_SYNTAX_ERRORS} more YAML syntax errors follow; they usually come from the first one`, 'fix the first error, then validate again'), ...(last?.pos ? { pos: last.pos } : {}) });
  }
  if (index < 0) return result;
  const extra = list.slice(index + 1).find((d) => d.contents !== null);
  if (extra) {
    const at = (extra.contents as Node).range?.[0];
    const w = warning('DGP_ERR_CONFIG_YAML', '', 'the file holds more than one YAML document; only the first is used', 'remove the other documents or split them into separate files');
    result.findings.push(at === undefined ? w : { ...w, pos: lineCounter.linePos(at) });
  }
  if (result.findings.some((f) => f.severity === 'error')) return result;
  const builder = new Builder(list[index]!, text, lineCounter, env, result);
  try {
    result.value = builder.build(list[index]!.contents as Node, '');
  } catch (err) {
    if (err instanceof ConfigLimitError) {
      result.value = undefined;
      result.findings.push(err.finding);
      return result;
    }
    if ((err as Error).message !== 'alias-bomb') throw err;
    result.value = undefined;
    result.findings.push(error('DGP_ERR_CONFIG_YAML', '', `aliases expand to more than ${MAX_NODES} nodes`, 'remove the recursive or exponential anchors/aliases'));
  }
  return result;
}

/** `{key: ${VAR}}`: the braces of a placeholder end a flow mapping early; say so where the parser only sees tokens. */
function withFlowHint(f: Finding, text: string): Finding {
  const line = f.pos ? text.split('\n')[f.pos.line - 1] : undefined;
  if (line === undefined || f.hint || !/\{[^}]*\$\{/.test(line)) return f;
  return { ...f, hint: 'a ${VAR} inside a { … } flow mapping must be quoted: write "${VAR}"' };
}

function yamlFinding(severity: 'error' | 'warning', message: string, pos: { line: number; col: number } | undefined): Finding {
  // The yaml package appends a code excerpt after the first line; the line:col is reported separately.
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { code: 'DGP_ERR_CONFIG_YAML', severity, pointer: '', message: first, ...(pos ? { pos: { line: pos.line, col: pos.col } } : {}) };
}
