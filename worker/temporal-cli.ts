import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Later CLI tags carry a `replace` directive, which `go install pkg@version` refuses. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(command: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'switchboard', 'temporal-cli-v1.5.1');
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, then `temporal` on PATH, then our cache, else builds it there with Go.
 * Returns undefined where none can be had, and the caller falls back to the SDK's download (machines with internet).
 */
export async function resolveTemporalCli(log: (message: string) => void = () => undefined): Promise<string | undefined> {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (await isExecutable(explicit)) return explicit;
    throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
  }
  const fromPath = await onPath('temporal');
  if (fromPath) return fromPath;
  const cacheDir = temporalCliCacheDir();
  const cached = path.join(cacheDir, 'temporal');
  if (await isExecutable(cached)) return cached;
  const go = await onPath('go', `${process.env.PATH ?? ''}${path.delimiter}/usr/local/go/bin`);
  if (!go) return undefined;
  log(`Installing the Temporal CLI with Go into ${cacheDir} (once; it takes a few minutes)…`);
  await mkdir(cacheDir, { recursive: true });
  await run(go, ['install', TEMPORAL_CLI_MODULE], {
    env: { ...process.env, GOBIN: cacheDir },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (!(await isExecutable(cached))) throw new Error(`go install ${TEMPORAL_CLI_MODULE} did not produce ${cached}`);
  return cached;
}
