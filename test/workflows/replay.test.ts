import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { syncWorkflowId } from '../../domain/inputs';
import { startFakeXero, type FakeXero } from '../../fakes/xero/server';
import { aConnection, providersFor } from '../sync/helpers';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { aBusiness, aContact, anOpenConversation } from '../support/fixtures';
import { startTestWorker, type TestWorker } from '../support/temporal';

/**
 * Histories recorded from real runs replay against today's workflow code without non-determinism. The ones in
 * test/histories were recorded by earlier versions (`npm run record-histories` adds today's), so a change that would
 * break workflows already running in production fails here.
 */
const historiesDir = path.join(__dirname, '..', 'histories');
const recorded: { name: string; history: unknown }[] = [];

let database: TestDatabase;
let worker: TestWorker;
let xero: FakeXero;
// The files the recorded import and export read and write, removed with the test.
let filesDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  xero = await startFakeXero();
  worker = await startTestWorker(database, { providers: providersFor({ xero }) });
  const business = await aBusiness(database.db);
  const deletable = await aContact(database.db, business, { phones: [] });
  const busy = await aContact(database.db, business, { email: null });
  await anOpenConversation(database.db, business, busy);
  filesDir = await mkdtemp(path.join(os.tmpdir(), 'replay-'));
  const csv = path.join(filesDir, 'contacts.csv');
  await writeFile(csv, 'First Name,Last Name,Mobile\nAda,Byron,0412 999 000\nBad,Row,123\n');
  const scenarios: [string, string, unknown][] = [
    ['deleteContact-deleted', 'deleteContact', { businessId: business.id, contactId: deletable }],
    ['deleteContact-archived', 'deleteContact', { businessId: business.id, contactId: busy }],
    ['deleteContact-invalid-input', 'deleteContact', { businessId: 'not-a-uuid' }],
    ['receiveInboundMessage-reactivated', 'receiveInboundMessage', { businessId: business.id, channel: 'sms', from: { phone: '0412 345 678' }, text: 'hi' }],
    ['receiveInboundMessage-created', 'receiveInboundMessage', { businessId: business.id, channel: 'webchat', from: { sessionId: 's-1' }, text: 'hello' }],
    ['receiveInboundMessage-invalid-phone', 'receiveInboundMessage', { businessId: business.id, channel: 'sms', from: { phone: '123' }, text: 'x' }],
    ['importContactsCsv-completed', 'importContactsCsv', { businessId: business.id, file: csv, errorReport: path.join(filesDir, 'contacts.errors.csv') }],
    ['importContactsCsv-invalid-mapping', 'importContactsCsv', { businessId: business.id, file: csv, mapping: { Nope: 'email' } }],
    ['exportContactsCsv-completed', 'exportContactsCsv', { businessId: business.id, output: path.join(filesDir, 'export.csv') }],
  ];
  const results = new Map<string, unknown>();
  const record = async (name: string, type: string, input: unknown, workflowId = `replay-${name}-${Date.now()}`) => {
    const handle = await worker.client.workflow.start(type, { args: [input], taskQueue: worker.taskQueue, workflowId });
    results.set(name, await handle.result().catch(() => undefined));
    recorded.push({ name, history: JSON.parse(historyToJSON(await handle.fetchHistory())) });
  };
  for (const [name, type, input] of scenarios) await record(name, type, input);
  const { importId } = results.get('importContactsCsv-completed') as { importId: string };
  await record('undoImport-completed', 'undoImport', { importId });
  const tenantId = xero.addTenant();
  xero.upsertContact(tenantId, { FirstName: 'Replay', LastName: 'Contact', Name: 'Replay Contact', EmailAddress: 'replay@example.com' });
  const connectionId = await aConnection(database, business, 'xero', tenantId, xero.issueTokens([tenantId]));
  await record('syncConnection-completed', 'syncConnection', { connectionId, mode: 'full' }, syncWorkflowId(connectionId));
  await record('syncConnection-invalid-input', 'syncConnection', { connectionId: 'not-a-uuid', mode: 'sometimes' });
  if (process.env.RECORD_HISTORIES) {
    for (const { name, history } of recorded) {
      // Stack traces carry the recording machine's paths and play no part in replay.
      const text = JSON.stringify(history, (key, value: unknown) => (key === 'stackTrace' ? undefined : value), 2);
      await writeFile(path.join(historiesDir, `${name}.json`), `${text}\n`);
    }
  }
});
afterAll(async () => {
  await worker?.close();
  await xero?.close();
  await database?.drop();
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

async function replay(histories: { name: string; history: unknown }[], codePath: string) {
  const results: { name: string; error?: unknown }[] = [];
  const iterable = Worker.runReplayHistories(
    { workflowBundle: { codePath } },
    histories.map(({ name, history }) => ({ workflowId: workflowIdOf(name, history), history: historyFromJSON(history) })),
  );
  for await (const result of iterable) results.push({ name: result.workflowId, error: result.error });
  return results;
}

/** syncConnection checks that it runs under its connection's workflow id, so its histories replay under that id. */
function workflowIdOf(name: string, history: unknown): string {
  if (!name.startsWith('syncConnection')) return name;
  const started = (history as { events: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: { data?: string }[] } } }[] }).events[0];
  const data = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
  const input = data ? (JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { connectionId?: unknown }) : {};
  return typeof input.connectionId === 'string' && /^[0-9a-f-]{36}$/.test(input.connectionId) ? syncWorkflowId(input.connectionId) : name;
}

describe('workflow replay', () => {
  it('replays the histories of this run', async () => {
    const results = await replay(recorded, inject('workflowBundlePath'));
    expect(results).toHaveLength(12);
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  it('replays the histories recorded by earlier versions', async () => {
    const files = (await readdir(historiesDir)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const histories = await Promise.all(
      files.map(async (file) => ({ name: file, history: JSON.parse(await readFile(path.join(historiesDir, file), 'utf8')) as unknown })),
    );
    const results = await replay(histories, inject('workflowBundlePath'));
    expect(results.filter((r) => r.error).map((r) => `${r.name}: ${String(r.error)}`)).toEqual([]);
  });

  it('reports non-determinism when the workflow code changed incompatibly', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, '..', 'fixtures', 'changed-workflows.ts'),
      logger: new DefaultLogger('WARN'),
    });
    const codePath = path.join(path.dirname(inject('workflowBundlePath')), 'changed-bundle.js');
    await writeFile(codePath, code);
    const [result] = await replay(recorded.filter((r) => r.name === 'deleteContact-archived'), codePath);
    expect(result?.error).toBeInstanceOf(DeterminismViolationError);
  });
});
