import { Client, Connection } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { ImportResult } from '../../workflows/import';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { aBusiness } from '../support/fixtures';
import { writeContactsCsv } from '../support/generate-csv';
import { spawnWorkerProcess } from '../support/worker-process';

let database: TestDatabase;
let dir: string;
let connection: Connection;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-crash-'));
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await connection?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

function startWorkerProcess(taskQueue: string): ChildProcess {
  const child = spawnWorkerProcess({ databaseUrl: database.url, taskQueue, dataDir: dir, secretKey: Buffer.alloc(32, 3) });
  children.push(child);
  return child;
}

it('finishes an import with every row accounted for exactly once after the worker is killed mid-import', async () => {
  const business = await aBusiness(database.db);
  const file = path.join(dir, 'crash.csv');
  const generated = await writeContactsCsv(file, 30_000);
  const taskQueue = `crash-${Date.now()}`;
  const client = new Client({ connection });

  const first = startWorkerProcess(taskQueue);
  const handle = await client.workflow.start('importContactsCsv', {
    args: [{ businessId: business.id, file }],
    taskQueue,
    workflowId: `crash-import-${Date.now()}`,
  });
  // Mid-import: some batches committed (their ledger rows are there), the file not finished.
  let committed = 0;
  for (let i = 0; i < 600 && committed < 4000; i++) {
    await sleep(50);
    const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from import_ledger where business_id = ${business.id}`;
    committed = row?.n ?? 0;
  }
  expect(committed).toBeGreaterThanOrEqual(4000);
  expect(committed).toBeLessThan(generated.rows);
  first.kill('SIGKILL');
  await once(first, 'exit');

  startWorkerProcess(taskQueue);
  const result = await handle.result() as ImportResult;

  expect(result.rows).toBe(generated.rows);
  expect(result.created + result.updated + result.skipped + result.failed).toBe(generated.rows);
  expect(result.failed).toBe(generated.invalid);
  expect(result.created).toBe(generated.people);
  const [counts] = await database.sql<{ contacts: number; emails: number; ledger: number; phones: number; distinct_phones: number }[]>`
    select (select count(*) from contacts where business_id = ${business.id})::int as contacts,
           (select count(distinct email_normalized) from contacts where business_id = ${business.id})::int as emails,
           (select count(*) from import_ledger where import_id = ${result.importId})::int as ledger,
           (select count(*) from contact_phones where business_id = ${business.id})::int as phones,
           (select count(distinct e164) from contact_phones where business_id = ${business.id})::int as distinct_phones`;
  expect(counts).toEqual({ contacts: generated.people, emails: generated.people, ledger: generated.rows, phones: generated.people, distinct_phones: generated.people });
}, 180_000);
