import { continueAsNew, patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { undoImportInput } from '../domain/inputs';
import { BusinessIdAttribute } from '../domain/search-attributes';
import { db } from './activities';
import { validateInput } from './validate';

export interface UndoImportResult {
  importId: string;
  deleted: number;
  restored: number;
  kept: number;
  /** Values the import wrote that were changed since, by a later import, a sync or a person: left as they are. */
  changedSince: number;
  /** The import had been undone by an earlier undoImport: this one had nothing to do. */
  alreadyUndone?: true;
}

const BATCH = 1000;
const BATCHES_PER_RUN = 500;

/**
 * Takes an import back: deletes the contacts it created and restores the fields it updated. Contacts it created that
 * have open conversations or invoices by now, or were changed since it ended, are kept and counted.
 */
export async function undoImport(rawInput: unknown, carried?: UndoImportResult): Promise<UndoImportResult> {
  const { importId } = validateInput('undoImport', undoImportInput, rawInput);
  // A run carried on from before `changedSince` was counted has none.
  const totals: UndoImportResult = { importId, deleted: 0, restored: 0, kept: 0, changedSince: 0, ...carried };
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const result = await db.undoImportBatch({ importId, batchSize: BATCH });
    // Found with the rest of the business's workflows; histories from before it was set replay without it.
    if (batch === 0 && patched('undo-business-id')) upsertSearchAttributes([{ key: BusinessIdAttribute, value: result.businessId }]);
    // Only the first batch of the first run can find the import undone by someone else; later ones find it undone by
    // this undo's own last batch, retried.
    if (result.undoneBefore && batch === 0 && carried === undefined) return { ...totals, alreadyUndone: true };
    totals.deleted += result.deleted;
    totals.restored += result.restored;
    totals.kept += result.kept;
    totals.changedSince += result.changedSince;
    setCurrentDetails(`${totals.deleted} contacts deleted, ${totals.restored} updates restored, ${totals.kept} kept, ${totals.changedSince} values changed since the import left as they are`);
    if (result.done) return totals;
  }
  return continueAsNew<typeof undoImport>(rawInput, totals);
}
