#!/usr/bin/env node
// Runs the CLI from the build in dist/ (`npm run build`), or from the TypeScript sources through tsx where there is
// no build, or where a source file has changed since the build and tsx is installed: a checkout edited or pulled
// after its last build would otherwise run the old code, beside an `npm start` that runs the new.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'dist', 'cli', 'switchboard.js');

/** The folders the build compiles, as its tsconfig names them: none where it is not there to say. */
function sourceDirs() {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')).include;
  } catch {
    return [];
  }
}

function newestSourceTime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(at));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(at).mtimeMs);
  }
  return newest;
}

function typeScriptLoader() {
  try {
    return require.resolve('tsx/cjs');
  } catch {
    return undefined;
  }
}

function entry() {
  const builtAt = fs.existsSync(compiled) ? fs.statSync(compiled).mtimeMs : undefined;
  const loader = typeScriptLoader();
  if (builtAt !== undefined && (!loader || sourceDirs().every((dir) => newestSourceTime(path.join(root, dir)) <= builtAt))) return compiled;
  if (!loader) {
    process.stderr.write('switchboard: no build in dist/ and no TypeScript loader to run the sources: run `npm ci` first\n');
    process.exit(1);
  }
  require(loader);
  return path.join(root, 'cli', 'switchboard.ts');
}

require(entry())
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
