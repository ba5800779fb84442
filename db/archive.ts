import type postgres from 'postgres';

type Sql = postgres.TransactionSql | postgres.Sql;

export interface OpenWork {
  conversations: number;
  invoices: number;
}

/**
 * The archive rule, for one contact an operator deletes or for the many whose records left a provider: a contact
 * with open conversations or unsettled invoices (a draft is one: when in doubt the rule archives, which loses
 * nothing) is archived; one without is deleted, leaving a tombstone. The contacts stay locked until the transaction
 * ends, so an inbound message cannot open a conversation between the check and the delete. With
 * `keepIfActiveBeyond`, a contact another connection still has active is left as it is.
 */
export async function applyArchiveRule(
  sql: Sql,
  businessId: string,
  contactIds: readonly string[],
  options: { keepIfActiveBeyond?: string } = {},
): Promise<{ archived: (OpenWork & { id: string })[]; deleted: string[] }> {
  if (contactIds.length === 0) return { archived: [], deleted: [] };
  const connectionId = options.keepIfActiveBeyond ?? null;
  const rows = await sql<(OpenWork & { id: string })[]>`
    select c.id,
      (select count(*)::int from conversations v where v.contact_id = c.id and v.status = 'open') as conversations,
      (select count(*)::int from invoices i where i.contact_id = c.id and i.status in ('draft', 'open')) as invoices
    from contacts c
    where c.business_id = ${businessId} and c.id = any(${[...new Set(contactIds)]}::uuid[])
      and (${connectionId}::uuid is null or not exists (
        select 1 from external_links l where l.contact_id = c.id and l.remote_active and l.connection_id <> ${connectionId}::uuid))
    order by c.id
    for update of c`;
  const archived = rows.filter((r) => r.conversations + r.invoices > 0);
  const deleted = rows.filter((r) => r.conversations + r.invoices === 0).map((r) => r.id);
  if (archived.length > 0) {
    await sql`update contacts set status = 'archived', archived_at = now(), updated_at = now()
              where id = any(${archived.map((r) => r.id)}::uuid[]) and status <> 'archived'`;
  }
  if (deleted.length > 0) {
    await sql`delete from contacts where id = any(${deleted}::uuid[])`;
    await sql`insert into deleted_contacts (contact_id, business_id) select x, ${businessId} from unnest(${deleted}::uuid[]) as x
              on conflict (contact_id) do nothing`;
  }
  return { archived, deleted };
}
