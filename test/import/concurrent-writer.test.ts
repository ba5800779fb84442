import { expect, it } from 'vitest';
import type { ImportResult } from '../../workflows/import';
import { aContact } from '../support/fixtures';
import { useWorkerTestContext } from '../support/context';
import { startLongImport } from '../support/imports';

const t = useWorkerTestContext();

it('matches a contact another writer stored during the import', async () => {
  // Three chunks of 20,000 rows; line 59,002 holds person 59,000, who appears once.
  const { business, generated, handle, progress } = await startLongImport(t, 60_000);
  // The import has written a batch; the person is in its last chunk.
  expect(progress?.rowsDone).toBeGreaterThan(0);
  expect(progress?.rowsDone).toBeLessThan(50_000);
  const meanwhile = await aContact(t.database.db, business, {
    firstName: 'First59000',
    lastName: 'Last59000',
    email: { address: 'person59000@example.com', normalized: 'person59000@example.com' },
    phones: [{ raw: '0499 999 999', e164: '+61499999999', type: 'mobile', primary: true }],
  });

  const result = (await handle.result()) as ImportResult;
  expect(result).toMatchObject({ status: 'completed', rows: generated.rows, created: generated.people - 1, failed: generated.invalid });
  const holders = await t.database.sql<{ id: string; phones: string[] }[]>`
    select c.id, array(select e164 from contact_phones p where p.contact_id = c.id order by e164) as phones
    from contacts c where c.business_id = ${business.id} and c.email_normalized = 'person59000@example.com'`;
  expect(holders).toEqual([{ id: meanwhile, phones: ['+61412059000', '+61499999999'] }]);
  const [{ contacts } = { contacts: -1 }] = await t.database.sql<{ contacts: number }[]>`
    select count(*)::int as contacts from contacts where business_id = ${business.id}`;
  expect(contacts).toBe(generated.people);
});
