import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from './logger';

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Sends the Temporal SDK's own logs (worker state, activity failures) through our JSON logger. */
export function installTemporalRuntime(logger: Logger): void {
  const temporalLogger = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => temporalLogger[levels[level]](meta ?? {}, message)),
  });
}

/** Where a running local stack can be reached, so that the CLI finds it without any settings. */
export interface LocalRuntimeInfo {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  uiUrl?: string;
  pid: number;
}

const runtimeFile = (dataDir: string) => path.join(dataDir, 'runtime.json');

export async function writeLocalRuntimeInfo(dataDir: string, info: LocalRuntimeInfo): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(runtimeFile(dataDir), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

export async function readLocalRuntimeInfo(dataDir: string): Promise<LocalRuntimeInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(runtimeFile(dataDir), 'utf8')) as LocalRuntimeInfo;
    // A stack that died without cleaning up leaves a stale file behind.
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

export async function removeLocalRuntimeInfo(dataDir: string): Promise<void> {
  await rm(runtimeFile(dataDir), { force: true });
}
