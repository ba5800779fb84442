import { continueAsNew, setCurrentDetails } from '@temporalio/workflow';
import { undoImportInput } from '../domain/inputs';
import { db } from './activities';
import { validateInput } from './validate';

export interface UndoImportResult {
  importId: string;
  deleted: number;
  restored: number;
  kept: number;
  /** The import had been undone by an earlier undoImport: this one had nothing to do. */
  alreadyUndone?: true;
}

const BATCH = 1000;
const BATCHES_PER_RUN = 500;

/**
 * Takes an import back: deletes the contacts it created and restores the fields it updated. Contacts it created that
 * have open conversations or invoices by now are kept and counted.
 */
export async function undoImport(rawInput: unknown, carried?: UndoImportResult): Promise<UndoImportResult> {
  const { importId } = validateInput('undoImport', undoImportInput, rawInput);
  const totals = carried ?? { importId, deleted: 0, restored: 0, kept: 0 };
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const result = await db.undoImportBatch({ importId, batchSize: BATCH });
    // Only the first batch of the first run can find the import undone by someone else; later ones find it undone by
    // this undo's own last batch, retried.
    if (result.undoneBefore && batch === 0 && carried === undefined) return { ...totals, alreadyUndone: true };
    totals.deleted += result.deleted;
    totals.restored += result.restored;
    totals.kept += result.kept;
    setCurrentDetails(`${totals.deleted} contacts deleted, ${totals.restored} updates restored, ${totals.kept} kept`);
    if (result.done) return totals;
  }
  return continueAsNew<typeof undoImport>(rawInput, totals);
}
