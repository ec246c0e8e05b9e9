// Entry for Node, Bun and Deno: loads the built packages by name, as a user's code does, through
// their exports maps (`import` or, on Node, `require`), runs the smoke modules and prints the
// results on one line. Arguments: <import|require> <module>... (a module is smoke/<module>.js).
import { RESULT_MARKER, runSmoke } from './harness.js';
import { importers, smokeModules } from './registry.js';

const args = globalThis.Deno !== undefined ? globalThis.Deno.args : globalThis.process.argv.slice(2);
const [mode, ...names] = args;

async function loaderFor(mode) {
  if (mode === 'import') {
    return (name) => {
      if (!(name in importers)) throw new Error(`${name} is not in smoke/registry.js`);
      return importers[name]();
    };
  }
  if (mode === 'require') {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    return (name) => require(name);
  }
  throw new Error(`the first argument must be import or require, got ${String(mode)}`);
}

const load = await loaderFor(mode);
const modules = [];
const packages = {};
const loadChecks = [];
for (const name of names) {
  try {
    if (!(name in smokeModules)) throw new Error(`${name} is not in smoke/registry.js`);
    const { default: module } = await smokeModules[name]();
    modules.push({ name, module });
    for (const pkg of module.packages) {
      if (pkg in packages) continue;
      try {
        packages[pkg] = await load(pkg);
        loadChecks.push({ module: name, check: `${mode}('${pkg}')`, ok: true, ms: 0 });
      } catch (error) {
        loadChecks.push({
          module: name,
          check: `${mode}('${pkg}')`,
          ok: false,
          error: String(error?.stack ?? error),
          ms: 0,
        });
      }
    }
  } catch (loadError) {
    modules.push({ name, loadError });
  }
}

const results = [...loadChecks, ...(await runSmoke(modules, packages))];
const runtime =
  globalThis.Deno !== undefined
    ? `deno ${globalThis.Deno.version.deno}`
    : globalThis.Bun !== undefined
    ? `bun ${globalThis.Bun.version}`
    : `node ${globalThis.process.versions.node}`;
console.log(`${RESULT_MARKER}${JSON.stringify({ runtime, results })}`);
