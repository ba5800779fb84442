import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_ROWS, createImportActivities, type ChunkResult } from '../../activities/import';
import { createBusiness } from '../../db/businesses';
import { SwitchboardError } from '../../domain/errors';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
let dir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'import-hint-'));
});
afterAll(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ROWS = 30;

const isHint = (text: string) => text.includes('import_id <>') && text.includes('order by line limit');
const isLedgerCheck = (text: string) => text.includes('select line, import_id, outcome, problems from import_ledger');

/**
 * The database client as the activities get it, except that right after each query `after` picks (the n-th, from 1),
 * `meanwhile` runs: what another writer does at that moment.
 */
function withActionAfter(
  sql: postgres.Sql,
  after: (text: string) => boolean,
  meanwhile: (nth: number) => Promise<void>,
  options: { slowTransactionsMs?: number } = {},
): postgres.Sql {
  let seen = 0;
  const wrapped = (strings: TemplateStringsArray, ...values: unknown[]) => {
    const query = (sql as unknown as (s: TemplateStringsArray, ...v: unknown[]) => postgres.PendingQuery<postgres.Row[]>)(strings, ...values);
    if (!after(strings.join('?'))) return query;
    seen += 1;
    const nth = seen;
    return query.then(async (rows) => (await meanwhile(nth), rows));
  };
  const slowMs = options.slowTransactionsMs;
  const begin = slowMs
    ? (fn: (tx: postgres.TransactionSql) => Promise<unknown>) => sql.begin(async (tx) => (await sleep(slowMs), fn(tx)))
    : sql.begin.bind(sql);
  return Object.assign(wrapped, sql, { begin }) as unknown as postgres.Sql;
}

function peopleCsv(rows: number): string {
  const lines = ['First Name,Last Name,Email,Mobile'];
  for (let i = 0; i < rows; i++) lines.push(`First${i},Last${i},person${i}@example.com,04${12_000_000 + i}`);
  return lines.join('\n');
}

async function importOnce(sql: postgres.Sql, businessId: string, file: string, workflowId: string) {
  const activities = createImportActivities({ db: database.db, sql, workDir: dir });
  const prepared = await activities.prepareImport({ businessId, file, workflowId, onMatch: 'update', dryRun: false });
  return { importId: prepared.importId, run: () => runChunk(sql, prepared.importId) };
}

/** One chunk of an import, as a (new) attempt of the activity runs it. */
async function runChunk(sql: postgres.Sql, importId: string): Promise<ChunkResult> {
  const activities = createImportActivities({ db: database.db, sql, workDir: dir });
  return (await new MockActivityEnvironment().run(activities.importChunk, { importId, maxRecords: 20_000, dryRun: false })) as ChunkResult;
}

/** A business, a file of `rows` people, and a first import of it, done. */
async function importedOnce(name: string, rows: number) {
  const business = await createBusiness(database.db, { name, defaultCountry: 'AU', identityPolicy: 'unique' });
  const file = path.join(dir, `${name}.csv`);
  await writeFile(file, peopleCsv(rows));
  const first = await importOnce(database.sql, business.id, file, `${name}-first`);
  expect((await first.run()).counts).toMatchObject({ created: rows, failed: 0 });
  return { business, file, first };
}

const failureOf = (run: () => Promise<unknown>) =>
  run().then(
    () => undefined,
    (error: unknown) => error,
  );

async function ledgerEntriesOf(importId: string): Promise<number> {
  const [counted] = await database.sql<{ entries: number }[]>`select count(*)::int as entries from import_ledger where import_id = ${importId}`;
  return counted?.entries ?? -1;
}

describe('a re-import whose earlier import is undone between the hint and the write', () => {
  it('fails the chunk as a retryable conflict, writes nothing, and the retry builds the rows it had skipped', async () => {
    const { business, file, first } = await importedOnce('hint', ROWS);

    // The earlier import's ledger rows go (as an undo's would) once the hint has said they are its.
    const undoLedger = async () => {
      await database.sql`delete from import_ledger where import_id = ${first.importId}`;
    };
    const second = await importOnce(withActionAfter(database.sql, isHint, () => undoLedger()), business.id, file, 'hint-second');
    const failure = await failureOf(second.run);
    expect(failure).toBeInstanceOf(SwitchboardError);
    expect(failure).toMatchObject({ type: 'Conflict', retryable: true });
    expect((failure as Error).message).toContain('no longer its');
    expect(await ledgerEntriesOf(second.importId)).toBe(0);

    // The retry (a fresh attempt, told nothing is held any more) reads every row and accounts for each one once.
    const result = await runChunk(database.sql, second.importId);
    expect(result.done).toBe(true);
    expect(result.counts.created + result.counts.updated + result.counts.skipped + result.counts.failed).toBe(ROWS);
    expect(result.counts.created).toBe(0);
    expect(await ledgerEntriesOf(second.importId)).toBe(ROWS);
  });

  it('fails the same way, as the error of the attempt, when it happens to the next batch while one is being written', async () => {
    // Two batches (the header is line 1); the undo comes after the hint for the second, while the first is in its
    // (slowed) transaction.
    const { business, file, first } = await importedOnce('hint-two-batches', BATCH_ROWS + 50);
    const undoSecondBatch = async (hint: number) => {
      if (hint === 2) await database.sql`delete from import_ledger where import_id = ${first.importId} and line > ${BATCH_ROWS + 1}`;
    };
    const second = await importOnce(withActionAfter(database.sql, isHint, undoSecondBatch, { slowTransactionsMs: 500 }), business.id, file, 'hint-two-second');
    expect(await failureOf(second.run)).toMatchObject({ type: 'Conflict', retryable: true });
    // The first batch was all the earlier import's (nothing to write); the second was not written.
    expect(await ledgerEntriesOf(second.importId)).toBe(0);
  });

  it('fails the batch under lock when the undo comes after the batch was prepared', async () => {
    const { business, file, first } = await importedOnce('late-undo', ROWS);
    // The batch's ledger check still finds the earlier import's lines; they go before its transaction.
    const undoLedger = async (nth: number) => {
      if (nth === 1) await database.sql`delete from import_ledger where import_id = ${first.importId}`;
    };
    const second = await importOnce(withActionAfter(database.sql, isLedgerCheck, undoLedger), business.id, file, 'late-undo-second');
    const failure = await failureOf(second.run);
    expect(failure).toMatchObject({ type: 'Conflict', retryable: true });
    expect((failure as Error).message).toContain('when the batch was prepared');
    expect(await ledgerEntriesOf(second.importId)).toBe(0);
  });
});
