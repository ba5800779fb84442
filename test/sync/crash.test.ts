import { Client, Connection } from '@temporalio/client';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { saveConnection } from '../../db/connections';
import { syncWorkflowId } from '../../domain/inputs';
import { startFakeXero, type FakeXero } from '../../fakes/xero/server';
import { createSecretBox } from '../../worker/secret-box';
import type { SyncResult } from '../../workflows/sync';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { aBusiness } from '../support/fixtures';
import { spawnWorkerProcess } from '../support/worker-process';
import { contactsOf, linksOf } from './helpers';

const workerKey = Buffer.alloc(32, 3);
let database: TestDatabase;
let dir: string;
let connection: Connection;
let xero: FakeXero;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sb-sync-crash-'));
  connection = await Connection.connect({ address: inject('temporalAddress') });
  xero = await startFakeXero();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await connection?.close();
  await xero?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** The production worker in its own process, with Xero's endpoints pointed at the fake. */
function startWorkerProcess(taskQueue: string): ChildProcess {
  const child = spawnWorkerProcess({
    databaseUrl: database.url,
    taskQueue,
    dataDir: dir,
    secretKey: workerKey,
    env: { XERO_CLIENT_ID: xero.clientId, XERO_CLIENT_SECRET: xero.clientSecret, XERO_API_URL: xero.url, XERO_IDENTITY_URL: xero.url },
  });
  children.push(child);
  return child;
}

it('a sync whose worker is killed mid-sync resumes from the last stored page, without duplicates', { timeout: 180_000 }, async () => {
  const business = await aBusiness(database.db, { name: 'Crash Clinic' });
  const tenantId = xero.addTenant();
  const start = Date.now() - 24 * 60 * 60_000;
  xero.seedContacts(tenantId, 6_000, (i) => ({ FirstName: `Crash${i}`, LastName: 'Test', Name: `Crash${i} Test`, EmailAddress: `crash${i}@example.com`, UpdatedDateUTC: start + i * 1_000 }));
  const tokens = xero.issueTokens([tenantId]);
  const saved = await saveConnection(database.sql, createSecretBox(workerKey), {
    businessId: business.id,
    provider: 'xero',
    tenantId,
    tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + tokens.expires_in * 1000) },
  });
  xero.faults.slow(1_500); // every page takes a while, so the kill lands mid-sync
  const taskQueue = `sync-crash-${Date.now()}`;
  const client = new Client({ connection });
  const first = startWorkerProcess(taskQueue);
  const handle = await client.workflow.start('syncConnection', {
    args: [{ connectionId: saved.id, mode: 'full' }],
    taskQueue,
    workflowId: syncWorkflowId(saved.id),
  });

  let stored = 0;
  for (let i = 0; i < 600 && stored < 2_000; i++) {
    await sleep(100);
    stored = (await linksOf(database, saved.id)).length;
  }
  expect(stored).toBeGreaterThanOrEqual(2_000);
  expect(stored).toBeLessThan(6_000);
  first.kill('SIGKILL');
  await once(first, 'exit');

  startWorkerProcess(taskQueue);
  const result = (await handle.result()) as SyncResult;
  xero.faults.clear();
  const contacts = await contactsOf(database, business.id);
  expect(contacts).toHaveLength(6_000);
  expect(new Set(contacts.map((c) => c.email_normalized)).size).toBe(6_000);
  expect(await linksOf(database, saved.id)).toHaveLength(6_000);
  expect(result.failed).toBe(0);
  // A page stored just before the kill may be read again after it, and is then found unchanged, not created twice.
  expect(result.created).toBeLessThanOrEqual(6_000);
  expect(result.created + result.unchanged).toBeGreaterThanOrEqual(6_000);
});
