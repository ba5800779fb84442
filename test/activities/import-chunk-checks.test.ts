import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportActivities, type ChunkResult, type FilePosition } from '../../activities/import';
import { createUndoImportActivities } from '../../activities/undo-import';
import { createBusiness } from '../../db/businesses';
import { SwitchboardError } from '../../domain/errors';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
let dir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'import-chunk-checks-'));
});
afterAll(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ROWS = 30;
const CHUNK_ROWS = 10;

function peopleCsv(first: string): string {
  const lines = ['First Name,Last Name,Email'];
  for (let i = 0; i < ROWS; i++) lines.push(`${first}${i},Last${i},${first.toLowerCase()}${i}@example.com`);
  return lines.join('\n');
}

/** An import of a fresh file with its first chunk done: what a worker that crashed after it leaves behind. */
async function halfImported(name: string) {
  const business = await createBusiness(database.db, { name, defaultCountry: 'AU', identityPolicy: 'unique' });
  const file = path.join(dir, `${name}.csv`);
  await writeFile(file, peopleCsv('Ada'));
  const activities = createImportActivities({ db: database.db, sql: database.sql, workDir: dir });
  const { importId } = await activities.prepareImport({ businessId: business.id, file, workflowId: `${name}-import`, onMatch: 'update', dryRun: false });
  const chunk = (position?: FilePosition) =>
    new MockActivityEnvironment().run(activities.importChunk, { importId, position, maxRecords: CHUNK_ROWS, dryRun: false }) as Promise<ChunkResult>;
  const first = await chunk();
  expect(first).toMatchObject({ done: false, counts: { created: CHUNK_ROWS } });
  return { businessId: business.id, file, importId, next: () => chunk(first.next) };
}

const failureOf = (run: () => Promise<unknown>) =>
  run().then(
    () => undefined,
    (error: unknown) => error,
  );

describe('the file of an import under way', () => {
  it('replaced by another file fails the next chunk, naming what to do, and nothing of it is read', async () => {
    const { file, importId, next } = await halfImported('replaced');
    await writeFile(file, peopleCsv('Bea'));

    const failure = await failureOf(next);
    expect(failure).toBeInstanceOf(SwitchboardError);
    expect(failure).toMatchObject({ type: 'InvalidInput', retryable: false });
    expect((failure as Error).message).toBe(
      `file: '${file}' changed since import ${importId} started, so the rest of it cannot be read from where the import stopped; ` +
        'import the file again as a new import (rows already imported are matched, not doubled), or put the earlier version back to finish this one',
    );
    const [ledger] = await database.sql<{ entries: number }[]>`select count(*)::int as entries from import_ledger where import_id = ${importId}`;
    expect(ledger?.entries).toBe(CHUNK_ROWS);
  });

  it('only touched (the same bytes, a new modification time) goes on, keeping the new time so as not to hash it again', async () => {
    const { file, importId, next } = await halfImported('touched');
    const later = new Date(Date.now() + 60_000);
    await utimes(file, later, later);

    expect(await next()).toMatchObject({ done: false, counts: { created: CHUNK_ROWS } });
    // Its new time is kept, so that the next chunk does not hash it again.
    const [row] = await database.sql<{ modified: number }[]>`select (options->>'originalModifiedMs')::float8 as modified from imports where id = ${importId}`;
    expect(row?.modified).toBe((await stat(file)).mtimeMs);
  });

  it('deleted fails the next chunk, saying to put it back', async () => {
    const { file, importId, next } = await halfImported('deleted');
    await rm(file);

    expect(((await failureOf(next)) as Error).message).toBe(`file: '${file}' is gone since import ${importId} started: put it back and import it again to do the rest (the rows done are skipped), or undo this import`);
  });
});

describe('an import undone while a chunk of its terminated workflow still runs', () => {
  it('writes nothing more: the chunk fails on the import the undo marked', async () => {
    const { businessId, importId, next } = await halfImported('terminated');
    // The undo finds the import running, asks Temporal, and hears that its workflow is over.
    const undo = createUndoImportActivities({ sql: database.sql, workflowStatusOf: async () => 'TERMINATED' });
    let undone;
    do undone = await undo.undoImportBatch({ importId, batchSize: 1000 });
    while (!undone.done);

    const failure = await failureOf(next);
    expect(failure).toMatchObject({ type: 'Conflict', retryable: false });
    expect((failure as Error).message).toBe(`import ${importId} is undone: a chunk of it still writing after its workflow stopped wrote nothing more`);
    const [contacts] = await database.sql<{ count: number }[]>`select count(*)::int as count from contacts where business_id = ${businessId}`;
    expect(contacts?.count).toBe(0);
  });

  it('is refused while the workflow runs', async () => {
    const { importId } = await halfImported('running');
    const undo = createUndoImportActivities({ sql: database.sql, workflowStatusOf: async () => 'RUNNING' });
    await expect(undo.undoImportBatch({ importId, batchSize: 1000 })).rejects.toThrow(
      `import ${importId} is still running: cancel its workflow running-import, then undo it`,
    );
  });
});

describe('an import undone while another import of the same file runs', () => {
  it('is refused while that import runs, and once begun makes such an import wait for its end instead of skipping its rows', async () => {
    const business = await createBusiness(database.db, { name: 'undo-beside', defaultCountry: 'AU', identityPolicy: 'unique' });
    const file = path.join(dir, 'undo-beside.csv');
    await writeFile(file, peopleCsv('Ada'));
    const activities = createImportActivities({ db: database.db, sql: database.sql, workDir: dir });
    const importAll = async (workflowId: string) => {
      const { importId } = await activities.prepareImport({ businessId: business.id, file, workflowId, onMatch: 'update', dryRun: false });
      const chunk = (position?: FilePosition) =>
        new MockActivityEnvironment().run(activities.importChunk, { importId, position, maxRecords: CHUNK_ROWS, dryRun: false }) as Promise<ChunkResult>;
      return { importId, chunk };
    };
    const first = await importAll('beside-first');
    let position: FilePosition | undefined;
    for (let done = false; !done; ) ({ next: position, done } = await first.chunk(position));
    await activities.finishImport({ importId: first.importId, status: 'completed', dryRun: false });
    const second = await importAll('beside-second');

    const running = createUndoImportActivities({ sql: database.sql, workflowStatusOf: async (id) => (id === 'beside-second' ? 'RUNNING' : 'COMPLETED') });
    await expect(running.undoImportBatch({ importId: first.importId, batchSize: CHUNK_ROWS })).rejects.toThrow(
      `import ${second.importId} of the same file is running, and leaves the rows import ${first.importId} holds to it: let it finish (or cancel its workflow beside-second), then undo`,
    );

    // The second import's workflow is taken as over (terminated, say): the undo begins, and a chunk of the second
    // import reaching rows the first still holds waits for the undo instead of skipping them.
    const undo = createUndoImportActivities({ sql: database.sql, workflowStatusOf: async () => 'TERMINATED' });
    expect(await undo.undoImportBatch({ importId: first.importId, batchSize: CHUNK_ROWS })).toMatchObject({ done: false, deleted: CHUNK_ROWS });
    const waiting = await failureOf(() => second.chunk());
    expect(waiting).toMatchObject({ type: 'Conflict', retryable: true });
    expect((waiting as Error).message).toBe(`rows of this file are held by import ${first.importId}, which is being undone; retrying the chunk until the undo is done (an undo stopped part way is finished by undoing it again: switchboard imports undo ${first.importId})`);
    let undone;
    do undone = await undo.undoImportBatch({ importId: first.importId, batchSize: CHUNK_ROWS });
    while (!undone.done);

    let built = 0;
    position = undefined;
    for (let done = false; !done; ) {
      const result = await second.chunk(position);
      ({ next: position, done } = result);
      built += result.counts.created;
    }
    expect(built).toBe(ROWS);
    const [contacts] = await database.sql<{ count: number }[]>`select count(*)::int as count from contacts where business_id = ${business.id}`;
    expect(contacts?.count).toBe(ROWS);
  });
});

describe('an undo of an import that updated one contact in two chunks', () => {
  it('takes both updates back, the later first, whatever a batch of the undo holds', async () => {
    const business = await createBusiness(database.db, { name: 'undo-two-chunks', defaultCountry: 'AU', identityPolicy: 'unique' });
    const activities = createImportActivities({ db: database.db, sql: database.sql, workDir: dir });
    const importFile = async (name: string, lines: string[]) => {
      const file = path.join(dir, `${name}.csv`);
      await writeFile(file, ['First Name,Last Name,Email,Company', ...lines].join('\n'));
      const { importId } = await activities.prepareImport({ businessId: business.id, file, workflowId: `${name}-import`, onMatch: 'update', dryRun: false });
      let position: FilePosition | undefined;
      for (let done = false; !done; ) {
        const chunk = (await new MockActivityEnvironment().run(activities.importChunk, { importId, position, maxRecords: CHUNK_ROWS, dryRun: false })) as ChunkResult;
        ({ next: position, done } = chunk);
      }
      await activities.finishImport({ importId, status: 'completed', dryRun: false });
      return importId;
    };
    await importFile('two-chunks-0', ['Jane,Citizen,jane@example.com,']);
    const others = Array.from({ length: CHUNK_ROWS }, (_, i) => `Other${i},Person${i},other${i}@example.com,`);
    // Jane's first row is in the first chunk, her second in the next: two updates, each recorded with what it replaced.
    const importId = await importFile('two-chunks-1', ['Jane,Citizen,jane@example.com,Acme', ...others, 'Jane,Citizen,jane@example.com,Acme Two']);
    const companyOfJane = async () =>
      (await database.sql<{ business_name: string | null }[]>`select business_name from contacts where business_id = ${business.id} and first_name = 'Jane'`)[0];
    expect(await companyOfJane()).toEqual({ business_name: 'Acme Two' });

    const undo = createUndoImportActivities({ sql: database.sql, workflowStatusOf: async () => 'COMPLETED' });
    let undone;
    let changedSince = 0;
    do {
      undone = await undo.undoImportBatch({ importId, batchSize: 1000 });
      changedSince += undone.changedSince;
    } while (!undone.done);
    expect(await companyOfJane()).toEqual({ business_name: null });
    expect(changedSince).toBe(0);
  });
});
