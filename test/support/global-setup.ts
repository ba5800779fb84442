import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../worker/dev-server';
import { startEmbeddedPostgres } from '../../worker/embedded-postgres';
import { workflowsPath } from '../../worker/worker';
import { freePort } from '../../worker/ports';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

/**
 * One real Postgres server and one real Temporal dev server for the whole run; each test file makes its own database
 * and task queue in them. DATABASE_URL picks an existing Postgres (CI uses the machine's); without it an embedded
 * Postgres is started, so that `npm test` needs nothing installed beforehand.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'switchboard-test-'));
  // An embedded Postgres run for root runs as the postgres user, which must reach its data folder in here.
  await chmod(scratch, 0o755);
  stops.push(() => rm(scratch, { recursive: true, force: true }));
  const log = (message: string) => process.stderr.write(`[test setup] ${message}\n`);

  let adminDatabaseUrl = process.env.DATABASE_URL;
  const postgres = adminDatabaseUrl ? undefined : startEmbeddedPostgres({ dataDir: scratch, port: await freePort(), log });
  const server = startDevServer({ log });
  const bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });

  const [pg, temporal, { code }] = await Promise.all([postgres, server, bundle]);
  if (pg) {
    stops.push(() => pg.stop());
    adminDatabaseUrl = pg.url;
  }
  stops.push(() => temporal.stop());
  const workflowBundlePath = path.join(scratch, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, code);

  project.provide('adminDatabaseUrl', adminDatabaseUrl as string);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', workflowBundlePath);
  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
}
