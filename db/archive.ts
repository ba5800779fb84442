import type postgres from 'postgres';

type Sql = postgres.TransactionSql | postgres.Sql;

/**
 * The archive rule for contacts whose record left a provider: one with open conversations or unsettled invoices is
 * archived, one without is deleted (leaving a tombstone), as `deleteContact` does. A contact another connection
 * still sees as active stays as it is.
 */
export async function applyArchiveRule(
  sql: Sql,
  businessId: string,
  contactIds: readonly string[],
  /** The connection whose records left; links of other connections that are still active keep the contact. */
  connectionId: string,
): Promise<{ archived: string[]; deleted: string[] }> {
  if (contactIds.length === 0) return { archived: [], deleted: [] };
  const rows = await sql<{ id: string; status: 'active' | 'archived'; open_work: boolean }[]>`
    select c.id, c.status,
      exists (select 1 from conversations v where v.contact_id = c.id and v.status = 'open')
        or exists (select 1 from invoices i where i.contact_id = c.id and i.status in ('draft', 'open')) as open_work
    from contacts c
    where c.business_id = ${businessId} and c.id = any(${[...new Set(contactIds)]}::uuid[])
      and not exists (select 1 from external_links l
                      where l.contact_id = c.id and l.remote_active and l.connection_id <> ${connectionId}::uuid)
    order by c.id
    for update of c`;
  const archived = rows.filter((r) => r.open_work).map((r) => r.id);
  const deleted = rows.filter((r) => !r.open_work).map((r) => r.id);
  if (archived.length > 0) {
    await sql`update contacts set status = 'archived', archived_at = coalesce(archived_at, now()), updated_at = now()
              where id = any(${archived}::uuid[])`;
  }
  if (deleted.length > 0) {
    await sql`delete from contacts where id = any(${deleted}::uuid[])`;
    await sql`insert into deleted_contacts (contact_id, business_id) select x, ${businessId} from unnest(${deleted}::uuid[]) as x
              on conflict (contact_id) do nothing`;
  }
  return { archived, deleted };
}
