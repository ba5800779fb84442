import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const project = path.join(__dirname, '..');

/**
 * `bin/switchboard.cjs` in a project of its own whose CLI, built and from sources, only says which it is: the build
 * is run unless there is none, or a source changed since it was built and the TypeScript loader is there to run it.
 */
describe('the switchboard command', () => {
  let dir: string;
  const built = () => path.join(dir, 'dist', 'cli', 'switchboard.js');
  const source = () => path.join(dir, 'domain', 'phone.ts');
  const at = (file: string, seconds: number) => utimes(file, seconds, seconds);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bin-'));
    await cp(path.join(project, 'bin', 'switchboard.cjs'), path.join(dir, 'bin', 'switchboard.cjs'));
    // Which folders hold the sources of the build, as the project's own build names them.
    await cp(path.join(project, 'tsconfig.build.json'), path.join(dir, 'tsconfig.build.json'));
    await mkdir(path.join(dir, 'cli'));
    await writeFile(path.join(dir, 'cli', 'switchboard.ts'), "export const runCli = async (args: string[]): Promise<number> => {\n  process.stdout.write(`source ${args.join(' ')}\\n`);\n  return 0;\n};\n");
    await mkdir(path.join(dir, 'domain'));
    await writeFile(source(), 'export {};\n');
    await at(path.join(dir, 'cli', 'switchboard.ts'), 1_000);
    await at(source(), 1_000);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function withBuild(): Promise<void> {
    await mkdir(path.dirname(built()), { recursive: true });
    await writeFile(built(), "exports.runCli = async (args) => {\n  process.stdout.write(`built ${args.join(' ')}\\n`);\n  return 0;\n};\n");
    await at(built(), 2_000);
  }

  const withTypeScriptLoader = () => symlink(path.join(project, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  const run = () =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(dir, 'bin', 'switchboard.cjs'), 'contacts', 'list'], { cwd: os.tmpdir(), timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('runs the build when no source is newer', async () => {
    await withBuild();
    await withTypeScriptLoader();
    expect(await run()).toMatchObject({ code: 0, stdout: 'built contacts list\n' });
  });

  it('runs the sources when one changed after the build', async () => {
    await withBuild();
    await withTypeScriptLoader();
    await at(source(), 3_000);
    expect(await run()).toMatchObject({ code: 0, stdout: 'source contacts list\n' });
  });

  it('runs the sources when there is no build', async () => {
    await withTypeScriptLoader();
    expect(await run()).toMatchObject({ code: 0, stdout: 'source contacts list\n' });
  });

  it('runs the build, even an older one, where the TypeScript loader is not installed', async () => {
    await withBuild();
    await at(source(), 3_000);
    expect(await run()).toMatchObject({ code: 0, stdout: 'built contacts list\n' });
  });

  it('says what to do when it has neither', async () => {
    expect(await run()).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'switchboard: no build in dist/ and no TypeScript loader to run the sources: run `npm ci` first\n',
    });
  });
});
