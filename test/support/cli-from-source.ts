import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Node's arguments that run the `switchboard` CLI from its sources, from any working folder. `bin/switchboard.cjs`
 * prefers a build in dist/ when there is one, which would have the tests check whatever was built last.
 */
export const cliFromSource = ['--require', createRequire(__filename).resolve('tsx/cjs'), path.join(__dirname, 'switchboard-from-source.ts')];
