import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestWorker, type TestWorker } from './temporal';

type WorkerSettings = NonNullable<Parameters<typeof startTestWorker>[1]>;

export interface WorkerTestContext {
  database: TestDatabase;
  worker: TestWorker;
  dir: string;
  /** Writes a file into this test file's own folder and returns its path. */
  file(name: string, content: string | Buffer): Promise<string>;
}

/** A database, a worker and a scratch folder for the tests of one file, set up before them and removed after. */
export function useWorkerTestContext(settings?: () => Promise<WorkerSettings> | WorkerSettings): WorkerTestContext {
  const context = {} as WorkerTestContext;
  beforeAll(async () => {
    context.database = await createTestDatabase();
    context.worker = await startTestWorker(context.database, settings ? await settings() : {});
    context.dir = await mkdtemp(path.join(os.tmpdir(), 'sb-test-'));
    context.file = async (name, content) => {
      const file = path.join(context.dir, name);
      await writeFile(file, content);
      return file;
    };
  });
  afterAll(async () => {
    await context.worker?.close();
    await context.database?.drop();
    if (context.dir) await rm(context.dir, { recursive: true, force: true });
  });
  return context;
}
