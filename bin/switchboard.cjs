#!/usr/bin/env node
// Runs the compiled CLI after `npm run build`, else the TypeScript source through tsx.
const fs = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, '..', 'dist', 'cli', 'switchboard.js');
const entry = fs.existsSync(compiled) ? compiled : (require('tsx/cjs'), path.join(__dirname, '..', 'cli', 'switchboard.ts'));
require(entry)
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
