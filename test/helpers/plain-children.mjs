// Preloaded into every test process (.taprc node-arg): the children a test spawns (dgp, its cluster workers, npm,
// node scripts) run as from a user's shell. tap's process-info plugin puts `--import=<@tapjs/processinfo>` into
// NODE_OPTIONS of every child (through the process-on-spawn hook); it only serves coverage, which .taprc turns off, but
// its loader hooks thread roughly doubles the CPU a `dgp` start takes (about 1 s more per process), and the suite
// spawns hundreds of them. This listener runs after tap's and takes its additions out again (unless coverage is on).
// Plain JavaScript: worker threads inherit the preloads, and a thread runs them before tsx can load TypeScript.
const TAP_LOADER = /\s*"?--(?:import|loader|experimental-loader)=[^"\s]*@tapjs[/\\]processinfo[^"\s]*"?/g;
/** @type {{ listeners: Array<(opts: { env: Record<string, string | undefined> }) => void> } | undefined} */
const hooks = globalThis[Symbol.for('process-on-spawn@*:singletonId')];

if (process.env._TAPJS_PROCESSINFO_COVERAGE_ !== '1') hooks?.listeners.push((opts) => {
  const env = { ...opts.env };
  const nodeOptions = env.NODE_OPTIONS?.replace(TAP_LOADER, '').trim();
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  else delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith('_TAPJS_PROCESSINFO_')) delete env[key];
  opts.env = env;
});
