import { upsertSearchAttributes } from '@temporalio/workflow';
import { exportContactsCsvInput } from '../domain/inputs';
import { BusinessIdAttribute } from '../domain/search-attributes';
import { files } from './activities';
import { validateInput } from './validate';

/** Writes a business's contacts to a CSV file (UTF-8 with BOM, formula-safe) that imports back unchanged. */
export async function exportContactsCsv(rawInput: unknown): Promise<{ output: string; rows: number; columns: string[] }> {
  const input = validateInput('exportContactsCsv', exportContactsCsvInput, rawInput);
  upsertSearchAttributes([{ key: BusinessIdAttribute, value: input.businessId }]);
  return files.exportContacts(input);
}
