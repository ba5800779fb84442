import { expect, it } from 'vitest';
import type { ImportProgress, ImportResult } from '../../workflows/import';
import { useWorkerTestContext } from '../support/context';
import { startLongImport } from '../support/imports';

const t = useWorkerTestContext();

it('reports progress while it runs and, when cancelled, stops at a chunk boundary and reports what it did; the file imported again does the rest', async () => {
  const { business, file, generated, handle, prepared, progress } = await startLongImport(t, 50_000);
  // Before a chunk is done, the total is estimated from the rows sampled to map the columns: within a fifth too.
  expect(prepared).toMatchObject({ status: 'running', rowsDone: 0, rowsTotalIsEstimate: true });
  expect(Math.abs((prepared?.rowsTotal ?? 0) - generated.rows)).toBeLessThan(generated.rows / 5);
  expect(progress).toMatchObject({ status: 'running', rowsTotalIsEstimate: true });
  expect(progress?.bytesTotal).toBeGreaterThan(0);
  // Estimated from the bytes read so far: within a fifth of the truth.
  expect(Math.abs((progress?.rowsTotal ?? 0) - generated.rows)).toBeLessThan(generated.rows / 5);
  // What the Temporal UI shows as the workflow's current details.
  const { currentDetails: details } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
  expect(details).toMatch(/^\*\*running\*\* [\d,]+ of ~[\d,]+ rows: [\d,]+ created, [\d,]+ updated, [\d,]+ skipped, [\d,]+ failed$/);

  await handle.cancel();
  // Until the chunk under way ends, the progress and the details the UI shows say the cancel was heard.
  let cancelling: ImportProgress | undefined;
  const detailsSeen = new Set<string>();
  for (let i = 0; i < 500 && !(cancelling && detailsSeen.has('cancelling')); i++) {
    const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
    detailsSeen.add(/^\*\*(\w+)\*\*/.exec(currentDetails)?.[1] ?? currentDetails);
    const now = await handle.query<ImportProgress>('progress');
    if (now.status === 'cancelling') cancelling ??= now;
    else if (now.status !== 'running') break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(cancelling).toMatchObject({ status: 'cancelling', rowsTotalIsEstimate: true });
  expect(detailsSeen).toContain('cancelling');
  const result = (await handle.result()) as ImportResult;
  expect(result.status).toBe('cancelled');
  expect(result.rows).toBeGreaterThan(0);
  expect(result.rows).toBeLessThan(generated.rows);
  expect(result.rows % 20_000).toBe(0);
  expect(result.rows).toBe(result.created + result.updated + result.skipped + result.failed);
  const [{ ledger } = { ledger: -1 }] = await t.database.sql<{ ledger: number }[]>`
    select count(*)::int as ledger from import_ledger where import_id = ${result.importId}`;
  expect(ledger).toBe(result.rows);
  const final = await handle.query<ImportProgress>('progress');
  expect(final).toMatchObject({ status: 'cancelled', rowsDone: result.rows });

  // Imported again, the file's rows are each done once between the two imports: the lines the cancelled one did are
  // skipped (and read without being built), the rest imported.
  const again = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
  expect(again).toMatchObject({ status: 'completed', rows: generated.rows, failed: generated.invalid - result.failed });
  // The rows the first import did are skipped in batches, and said so once: the errors of the rows that failed follow.
  const notices = again.errors.filter((e) => e.importedBefore !== undefined);
  expect(notices).toEqual([
    { row: 2, message: `row 2: this file was imported into the business before (import ${result.importId}); its rows are skipped (to import them again, with another mapping say, undo that import first)`, importedBefore: result.importId },
  ]);
  expect(again.errors.length).toBeGreaterThan(notices.length);
  expect(again.created + result.created).toBe(generated.people);
  expect(again.skipped).toBeGreaterThanOrEqual(result.rows);
  const counted = await t.database.sql<{ import_id: string; lines: number }[]>`
    select import_id, count(*)::int as lines from import_ledger where business_id = ${business.id} group by import_id order by lines`;
  expect(counted.map((c) => c.lines).reduce((a, b) => a + b, 0)).toBe(generated.rows);
  const [{ contacts } = { contacts: -1 }] = await t.database.sql<{ contacts: number }[]>`
    select count(*)::int as contacts from contacts where business_id = ${business.id}`;
  expect(contacts).toBe(generated.people);
});

it('completes an import whose cancel comes during its last chunk, every row done', async () => {
  const { generated, handle } = await startLongImport(t, 25_000);
  // The first chunk of 20,000 rows done, the last (5,000) under way.
  for (let i = 0; i < 1200; i++) {
    const progress = await handle.query<ImportProgress>('progress');
    if (progress.rowsDone >= 20_000 || progress.status !== 'running') break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await handle.cancel();
  const result = (await handle.result()) as ImportResult;
  expect(result).toMatchObject({ status: 'completed', rows: generated.rows });
});
