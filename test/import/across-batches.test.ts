import { describe, expect, it } from 'vitest';
import { BATCH_ROWS } from '../../activities/import';
import type { ImportResult } from '../../workflows/import';
import { aBusiness } from '../support/fixtures';
import { useWorkerTestContext } from '../support/context';

const t = useWorkerTestContext();

const REPEATS = 200;

/**
 * One batch of different people, then the last `REPEATS` of them again at the start of the next batch, with the phone
 * written another way, the email in capitals and a tag: the second batch is read, and its keys checked against the
 * store, while the first is still being written.
 */
function repeatsAcrossBatches(batchesBefore = 1): string {
  const person = (n: number) => ({ digits: String(20_000_000 + n).slice(1), email: `person${n}@example.com` });
  const lines = ['First Name,Last Name,Email,Mobile,Tags'];
  for (let n = 0; n < BATCH_ROWS * batchesBefore; n++) {
    const { digits, email } = person(n);
    lines.push(`First${n},Last${n},${email},04${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5)},`);
  }
  for (let n = BATCH_ROWS - REPEATS; n < BATCH_ROWS; n++) {
    const { digits, email } = person(n);
    lines.push(`First${n},Last${n},${email.toUpperCase()},+61 4${digits},Returning`);
  }
  return lines.join('\n');
}

describe('a person repeated in the next batch', () => {
  for (const identityPolicy of ['none', 'unique'] as const) {
    it(`is matched to the contact the batch before created (identity policy '${identityPolicy}')`, async () => {
      const business = await aBusiness(t.database.db, { identityPolicy });
      const file = await t.file(`across-batches-${identityPolicy}.csv`, repeatsAcrossBatches());
      const workflowId = `across-batches-${identityPolicy}-${Date.now()}`;
      const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file }, workflowId);
      expect(result).toMatchObject({ status: 'completed', rows: BATCH_ROWS + REPEATS, created: BATCH_ROWS, updated: REPEATS, skipped: 0, failed: 0 });

      const [counted] = await t.database.sql<{ contacts: number; emails: number; tagged: number }[]>`
        select count(*)::int as contacts, count(distinct email_normalized)::int as emails,
          (select count(*)::int from contact_tags ct join tags g on g.id = ct.tag_id where g.business_id = ${business.id} and g.name = 'Returning') as tagged
        from contacts where business_id = ${business.id}`;
      expect(counted).toEqual({ contacts: BATCH_ROWS, emails: BATCH_ROWS, tagged: REPEATS });
      // Matched the first time: not after a chunk failed on a unique index and was retried.
      const history = await t.worker.client.workflow.getHandle(workflowId).fetchHistory();
      const attempts = (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
      expect(attempts.length).toBeGreaterThan(0);
      expect(attempts.every((attempt) => attempt === 1)).toBe(true);
    });
  }
});

describe('a dry run', () => {
  // The dry run writes nothing: it plans each batch against what the batches before it would have written.
  for (const batchesBefore of [1, 2]) {
    it(`counts what the import then does, for a person repeated ${batchesBefore} batch${batchesBefore === 1 ? '' : 'es'} later`, async () => {
      const business = await aBusiness(t.database.db, { identityPolicy: 'unique' });
      const file = await t.file(`dry-across-batches-${batchesBefore}.csv`, repeatsAcrossBatches(batchesBefore));
      const counts = ({ rows, created, updated, skipped, failed }: ImportResult) => ({ rows, created, updated, skipped, failed });
      const dry = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file, dryRun: true });
      const [{ contacts } = { contacts: -1 }] = await t.database.sql<{ contacts: number }[]>`select count(*)::int as contacts from contacts where business_id = ${business.id}`;
      expect(contacts).toBe(0);
      const real = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
      expect(counts(real)).toEqual({ rows: BATCH_ROWS * batchesBefore + REPEATS, created: BATCH_ROWS * batchesBefore, updated: REPEATS, skipped: 0, failed: 0 });
      expect(counts(dry)).toEqual(counts(real));
    });
  }
});
