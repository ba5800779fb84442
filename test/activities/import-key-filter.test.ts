import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportActivities, type ChunkResult, type FilePosition } from '../../activities/import';
import { createBusiness } from '../../db/businesses';
import { SwitchboardError } from '../../domain/errors';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { aContact, manyContacts } from '../support/fixtures';

let database: TestDatabase;
let dir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'import-key-filter-'));
});
afterAll(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const emailOf = (i: number) => `person${i}@example.com`;
const mobileOf = (i: number) => `04${12_000_000 + i}`;

async function peopleFile(name: string, people: readonly number[], { withMobiles = true } = {}): Promise<string> {
  const file = path.join(dir, `${name}.csv`);
  const header = withMobiles ? 'First Name,Last Name,Email,Mobile' : 'First Name,Last Name,Email';
  await writeFile(file, [header, ...people.map((i) => `First${i},Last${i},${emailOf(i)}${withMobiles ? `,${mobileOf(i)}` : ''}`)].join('\n'));
  return file;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

interface Recorded {
  /** The keys each probe of held keys was asked about. */
  asked: string[][];
  /** How many times the business's keys were read into a filter. */
  filtersRead: number;
}

/** The database client as the activities get it, recording what the import asks the database about keys. */
function recording(sql: postgres.Sql, recorded: Recorded): postgres.Sql {
  const wrapped = (strings: TemplateStringsArray, ...values: unknown[]) => {
    const text = strings.join('?');
    if (text.includes("select 'email' as kind, e.value")) recorded.asked.push(values.filter((v): v is string[] => Array.isArray(v)).flat());
    if (text.includes('email_normalized as value from contacts')) recorded.filtersRead += 1;
    return (sql as unknown as (s: TemplateStringsArray, ...v: unknown[]) => unknown)(strings, ...values);
  };
  return Object.assign(wrapped, sql) as unknown as postgres.Sql;
}

const nothingRecorded = (): Recorded => ({ asked: [], filtersRead: 0 });

/** One import's activities, as one worker holds them from chunk to chunk. */
async function startImport(sql: postgres.Sql, businessId: string, file: string, workflowId: string, dryRun = false) {
  const activities = createImportActivities({ db: database.db, sql, workDir: dir });
  const prepared = await activities.prepareImport({ businessId, file, workflowId, onMatch: 'update', dryRun });
  const chunk = async (maxRecords: number, position?: FilePosition) =>
    (await new MockActivityEnvironment().run(activities.importChunk, { importId: prepared.importId, maxRecords, dryRun, ...(position && { position }) })) as ChunkResult;
  return { importId: prepared.importId, chunk };
}

/** The business's contacts and phones, and the import's ledger entries. */
async function storedBy(businessId: string, importId: string) {
  const [counts = { contacts: -1, phones: -1, entries: -1 }] = await database.sql<{ contacts: number; phones: number; entries: number }[]>`
    select (select count(*)::int from contacts where business_id = ${businessId}) as contacts,
      (select count(*)::int from contact_phones where business_id = ${businessId}) as phones,
      (select count(*)::int from import_ledger where import_id = ${importId}) as entries`;
  return counts;
}

const failureOf = (run: () => Promise<unknown>) =>
  run().then(
    () => undefined,
    (error: unknown) => error,
  );

describe("an import's filter of the keys its business holds", () => {
  it('has the database asked only about the keys the business may hold; a dry run asks about every key, a re-import about none', async () => {
    const business = await createBusiness(database.db, { name: 'Filtered probe', defaultCountry: 'AU', identityPolicy: 'unique' });
    // Three people stored without their mobiles, which the file then adds.
    const earlier = await startImport(database.sql, business.id, await peopleFile('earlier', [3, 17, 25], { withMobiles: false }), 'filtered-earlier');
    expect((await earlier.chunk(1_000)).counts).toMatchObject({ created: 3 });

    const file = await peopleFile('thirty', range(0, 30));
    const inDryRun = nothingRecorded();
    const dryRun = await startImport(recording(database.sql, inDryRun), business.id, file, 'filtered-dry-run', true);
    expect((await dryRun.chunk(1_000)).counts).toMatchObject({ created: 27, updated: 3 });
    expect(inDryRun).toMatchObject({ filtersRead: 0 });
    expect(inDryRun.asked.flat()).toHaveLength(60);

    const inRun = nothingRecorded();
    const run = await startImport(recording(database.sql, inRun), business.id, file, 'filtered-run');
    expect((await run.chunk(1_000)).counts).toMatchObject({ created: 27, updated: 3, failed: 0 });
    expect(inRun.filtersRead).toBe(1);
    // The emails of the three stored people, and at most a false positive or two of the filter.
    expect(inRun.asked.flat()).toEqual(expect.arrayContaining([3, 17, 25].map(emailOf)));
    expect(inRun.asked.flat().length).toBeLessThanOrEqual(5);

    // A re-import skips every row: it has no key to ask about, and reads no filter.
    const inReimport = nothingRecorded();
    const reimport = await startImport(recording(database.sql, inReimport), business.id, file, 'filtered-reimport');
    expect((await reimport.chunk(1_000)).counts).toMatchObject({ created: 0, skipped: 30 });
    expect(inReimport).toEqual({ asked: [], filtersRead: 0 });
    const { contacts, phones } = await storedBy(business.id, reimport.importId);
    expect({ contacts, phones }).toEqual({ contacts: 30, phones: 30 });
  });

  it('fails a chunk as a retryable conflict when another writer stored one of its keys after the filter was read, and the retry matches that contact', async () => {
    const business = await createBusiness(database.db, { name: 'Filtered meanwhile', defaultCountry: 'AU', identityPolicy: 'unique' });
    const run = await startImport(database.sql, business.id, await peopleFile('meanwhile', range(0, 30)), 'filtered-meanwhile');
    const first = await run.chunk(10);
    expect(first.counts).toMatchObject({ created: 10 });

    // Person 20, in the next chunk, is stored by another writer, with another phone, after the filter was read.
    const meanwhile = await aContact(database.db, business, {
      firstName: 'First20',
      lastName: 'Last20',
      email: { address: emailOf(20), normalized: emailOf(20) },
      phones: [{ raw: '0499 999 999', e164: '+61499999999', type: 'mobile', primary: true }],
    });
    const failure = await failureOf(() => run.chunk(20, first.next));
    expect(failure).toBeInstanceOf(SwitchboardError);
    expect(failure).toMatchObject({ type: 'Conflict', retryable: true });
    expect((failure as Error).message).toContain('claimed by another writer');

    const retried = await run.chunk(20, first.next);
    expect(retried).toMatchObject({ done: true, counts: { created: 19, updated: 1, failed: 0 } });
    const holders = await database.sql<{ id: string; phones: string[] }[]>`
      select c.id, array(select e164 from contact_phones p where p.contact_id = c.id order by e164) as phones
      from contacts c where c.business_id = ${business.id} and c.email_normalized = ${emailOf(20)}`;
    expect(holders).toEqual([{ id: meanwhile, phones: ['+61412000020', '+61499999999'] }]);
    const { contacts, entries } = await storedBy(business.id, run.importId);
    expect({ contacts, entries }).toEqual({ contacts: 30, entries: 30 });
  });

  it('is not read for a file with far fewer keys than the stored contacts and phones: the batch asks about every key', async () => {
    const business = await createBusiness(database.db, { name: 'Filter not worth it', defaultCountry: 'AU', identityPolicy: 'unique' });
    await manyContacts(database.sql, business.id, 500, 'stored');
    await database.sql`analyze contacts`;
    const recorded = nothingRecorded();
    const run = await startImport(recording(database.sql, recorded), business.id, await peopleFile('small', range(0, 30)), 'filter-not-worth-it');
    expect((await run.chunk(1_000)).counts).toMatchObject({ created: 30, failed: 0 });
    expect(recorded.filtersRead).toBe(0);
    expect(recorded.asked.flat()).toHaveLength(60);
  });
});
