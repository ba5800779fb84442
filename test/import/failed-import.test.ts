import { WorkflowFailedError } from '@temporalio/client';
import { rm } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { listContacts } from '../../db/contacts';
import type { UndoImportResult } from '../../workflows/undo-import';
import { useWorkerTestContext } from '../support/context';
import { startLongImport } from '../support/imports';

const t = useWorkerTestContext();

it('fails an import whose file is removed while it runs, marks it failed, and lets it be undone', async () => {
  // Three chunks: one done when the file goes, so that a later one finds it gone.
  const { business, file, handle, progress } = await startLongImport(t, 60_000);
  expect(progress?.rowsDone).toBeGreaterThan(0);
  const importId = progress?.importId as string;
  await rm(file);

  const failure = await handle.result().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause?.message).toBe(`file: '${file}' is gone since import ${importId} started: put it back and import it again to do the rest (the rows done are skipped), or undo this import`);
  const [row] = await t.database.sql<{ status: string }[]>`select status from imports where id = ${importId}`;
  expect(row?.status).toBe('failed');
  expect((await listContacts(t.database.db, business.id)).length).toBeGreaterThan(0);

  const undone = await t.worker.execute<UndoImportResult>('undoImport', { importId });
  expect(undone.deleted).toBeGreaterThan(0);
  expect(await listContacts(t.database.db, business.id)).toEqual([]);
});

it('refuses to undo an import while its workflow runs, and undoes it once the workflow is terminated', async () => {
  // Four chunks left when the first is done: the undo is asked long before the import could end.
  const { business, handle, progress } = await startLongImport(t, 100_000);
  const importId = progress?.importId as string;
  const refused = await t.worker.execute('undoImport', { importId }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect((refused as WorkflowFailedError).cause?.message).toBe(`import ${importId} is still running: cancel its workflow ${handle.workflowId}, then undo it`);

  // Terminated, the import's workflow cannot mark the import itself.
  await handle.terminate('stuck');
  const undone = await t.worker.execute<UndoImportResult>('undoImport', { importId });
  expect(undone.deleted).toBeGreaterThan(0);
  expect(await listContacts(t.database.db, business.id)).toEqual([]);
  const [row] = await t.database.sql<{ status: string }[]>`select status from imports where id = ${importId}`;
  expect(row?.status).toBe('undone');
});
