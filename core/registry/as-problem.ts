// A registry problem as a config Problem (`dgp validate`, reload results): placed at the plugin's own file and line
// when the failure has a site, else at the plugin folder.
import type { Problem } from '../config/problems.js';
import type { RegistryProblem } from './types.js';

export function registryProblemAsProblem(p: RegistryProblem): Problem {
  const at = p.site ?? { file: p.folder, line: 0, col: 0 };
  return { code: p.code, severity: 'error', message: p.message, file: at.file, line: at.line, col: at.col, pointer: '', ...(p.hint ? { hint: p.hint } : {}) };
}
