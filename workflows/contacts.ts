import { upsertSearchAttributes } from '@temporalio/workflow';
import { deleteContactInput, type DeleteContactResult } from '../domain/inputs';
import { BusinessIdAttribute } from '../domain/search-attributes';
import { db } from './activities';
import { validateInput } from './validate';

/** Deletes a contact, or archives it when it still has open conversations or invoices. */
export async function deleteContact(rawInput: unknown): Promise<DeleteContactResult> {
  const input = validateInput('deleteContact', deleteContactInput, rawInput);
  upsertSearchAttributes([{ key: BusinessIdAttribute, value: input.businessId }]);
  return db.applyDeleteRule(input);
}
