import type postgres from 'postgres';
import { SwitchboardError } from '../domain/errors';

export interface UndoBatchResult {
  done: boolean;
  deleted: number;
  restored: number;
  /** Created contacts left in place because they have open conversations or invoices by now, or were changed since. */
  kept: number;
  /** Values the import wrote that were changed since (by a later import, a sync, a person): left as they are. */
  changedSince: number;
  /** The import was undone before this batch began: by an earlier batch of the same undo, or by an earlier undo. */
  undoneBefore?: true;
  businessId: string;
}

type Values = Record<string, string | null>;
type RestorablePart = 'fields' | 'customFields' | 'contactAddress' | 'billingAddress';

interface UndoRecord {
  fields?: Values;
  customFields?: Values;
  contactAddress?: Values;
  billingAddress?: Values;
  addedPhones?: string[];
  addedTags?: string[];
  /** The number that was the primary before the import made another so (null: none was). */
  primaryPhone?: string | null;
  /** What the import wrote; absent from the records of imports made before it was kept, which are restored as they say. */
  written?: { [P in RestorablePart]?: Values } & { primaryPhone?: string };
  /**
   * When the contact was last changed before the import: given back with all the import changed, so that the undo of
   * an earlier import that created the contact does not take its own undone update for a change since.
   */
  updatedAt?: string;
  /** When the import wrote the update: the time the contact held after it, which a later import's record may hold. */
  writtenAt?: string;
  /**
   * Set when the undo of the earlier import that created the contact kept it for this import's change: that import's
   * end. The contact given back as it was then is deleted, as that undo would have.
   */
  createdUntil?: string;
}

/** A value an undo left because it was changed after the import wrote it. */
interface ChangedSince {
  part: RestorablePart | 'primaryPhone';
  key: string;
  written: string | null;
  previous: string | null;
}

interface CurrentValues {
  updated_at: string;
  fields: Record<string, string | null>;
  custom_fields: Record<string, string>;
  contact_address: Record<string, string | null> | null;
  billing_address: Record<string, string | null> | null;
  primary_phone: string | null;
}

const columnOf: Record<string, string> = {
  firstName: 'first_name',
  middleName: 'middle_name',
  lastName: 'last_name',
  businessName: 'business_name',
  email: 'email',
  emailNormalized: 'email_normalized',
  notes: 'notes',
};
const addressColumnOf: Record<string, string> = {
  line1: 'line1',
  line2: 'line2',
  city: 'city',
  region: 'region',
  postalCode: 'postal_code',
  country: 'country',
};

function currentValueOf(current: CurrentValues, part: RestorablePart, key: string): string | null {
  if (part === 'fields') return current.fields[columnOf[key] as string] ?? null;
  if (part === 'customFields') return current.custom_fields[key] ?? null;
  const address = part === 'contactAddress' ? current.contact_address : current.billing_address;
  return address?.[addressColumnOf[key] as string] ?? null;
}

/**
 * The values of a record to put back: those that still hold what the import wrote. The others were changed since and
 * are left, and returned, so that a later import's record of them can be rebased.
 */
function stillAsWritten(record: UndoRecord, current: CurrentValues): { restore: UndoRecord; changedSince: ChangedSince[] } {
  const written = record.written;
  if (written === undefined) return { restore: record, changedSince: [] };
  const restore: UndoRecord = { ...record };
  const changedSince: ChangedSince[] = [];
  for (const part of ['fields', 'customFields', 'contactAddress', 'billingAddress'] as const) {
    const previous = record[part];
    if (previous === undefined) continue;
    const restorable: Values = {};
    const left: ChangedSince[] = [];
    for (const [key, value] of Object.entries(previous)) {
      // An address part a moved address has not was written as '': emptied.
      const wrote = written[part]?.[key] || null;
      if (currentValueOf(current, part, key) === wrote) restorable[key] = value;
      else left.push({ part, key, written: wrote, previous: value });
    }
    // An address is one value: changed since in any part, none of the old one's parts is put back into it.
    const whole = part === 'contactAddress' || part === 'billingAddress';
    if (whole && left.length > 0) {
      for (const [key, value] of Object.entries(restorable)) left.push({ part, key, written: written[part]?.[key] || null, previous: value });
      restore[part] = {};
    } else {
      restore[part] = restorable;
    }
    changedSince.push(...left);
  }
  if (record.primaryPhone !== undefined && written.primaryPhone !== undefined && current.primary_phone !== written.primaryPhone) {
    delete restore.primaryPhone;
    changedSince.push({ part: 'primaryPhone', key: '', written: written.primaryPhone, previous: record.primaryPhone });
  }
  return { restore, changedSince };
}

/** A contact `c` an undo may delete: no open conversation or invoice, which the archive rule would keep it for. */
const withNothingOpen = (tx: postgres.TransactionSql) => tx`
  not exists (select 1 from conversations v where v.contact_id = c.id and v.status = 'open')
  and not exists (select 1 from invoices i where i.contact_id = c.id and i.status in ('draft', 'open'))`;

/** The values the batch's updated contacts hold now, by id, locked; contacts deleted since are not among them. */
async function currentValuesOf(tx: postgres.TransactionSql, contactIds: readonly string[]): Promise<Map<string, CurrentValues>> {
  const rows = await tx<(CurrentValues & { id: string })[]>`
    select c.id, c.updated_at::text as updated_at,
      jsonb_build_object('first_name', c.first_name, 'middle_name', c.middle_name, 'last_name', c.last_name,
        'business_name', c.business_name, 'email', c.email, 'email_normalized', c.email_normalized, 'notes', c.notes) as fields,
      c.custom_fields,
      (select to_jsonb(a) from contact_addresses a where a.contact_id = c.id and a.kind = 'contact') as contact_address,
      (select to_jsonb(a) from contact_addresses a where a.contact_id = c.id and a.kind = 'billing') as billing_address,
      (select p.e164 from contact_phones p where p.contact_id = c.id and p.is_primary limit 1) as primary_phone
    from contacts c where c.id = any(${contactIds}::uuid[])
    order by c.id
    for update`;
  return new Map(rows.map((row) => [row.id, row]));
}

async function restore(tx: postgres.TransactionSql, contactId: string, record: UndoRecord): Promise<void> {
  const fields = Object.fromEntries(
    Object.entries(record.fields ?? {}).flatMap(([field, previous]) => (columnOf[field] ? [[columnOf[field], previous]] : [])),
  );
  const custom = Object.entries(record.customFields ?? {});
  const removedKeys = custom.filter(([, previous]) => previous === null).map(([name]) => name);
  const restoredValues = Object.fromEntries(custom.filter(([, previous]) => previous !== null));
  if (Object.keys(fields).length > 0) {
    await tx`update contacts set ${tx(fields, Object.keys(fields))}, updated_at = now() where id = ${contactId}`;
  }
  if (custom.length > 0) {
    await tx`
      update contacts set custom_fields = (custom_fields - ${removedKeys}::text[]) || ${JSON.stringify(restoredValues)}::jsonb
      where id = ${contactId}`;
  }
  for (const [kind, parts] of [['contact', record.contactAddress], ['billing', record.billingAddress]] as const) {
    const columns = Object.fromEntries(
      Object.entries(parts ?? {}).flatMap(([part, previous]) => (addressColumnOf[part] ? [[addressColumnOf[part], previous]] : [])),
    );
    if (Object.keys(columns).length > 0) {
      await tx`update contact_addresses set ${tx(columns, Object.keys(columns))} where contact_id = ${contactId} and kind = ${kind}::address_kind`;
      // An address the import gave a contact that had none: none again.
      await tx`
        delete from contact_addresses where contact_id = ${contactId} and kind = ${kind}::address_kind
          and coalesce(line1, line2, city, region, postal_code, country) is null`;
    }
  }
  if (record.addedPhones?.length) {
    await tx`delete from contact_phones where contact_id = ${contactId} and e164 = any(${record.addedPhones}::text[])`;
  }
  if (record.primaryPhone !== undefined) {
    // The old primary first: a contact holds one primary, checked row by row.
    await tx`update contact_phones set is_primary = false where contact_id = ${contactId} and is_primary and e164 is distinct from ${record.primaryPhone}`;
    if (record.primaryPhone !== null) await tx`update contact_phones set is_primary = true where contact_id = ${contactId} and e164 = ${record.primaryPhone}`;
  }
  if (record.addedPhones?.length || record.primaryPhone !== undefined) {
    // Imports undone out of their order may take away the number a later one made primary: another takes its place,
    // the mobile first, as an import would choose it.
    await tx`
      update contact_phones set is_primary = true
      where contact_id = ${contactId}
        and e164 = (select e164 from contact_phones where contact_id = ${contactId}
                    order by (type = 'mobile') desc, (type = 'fax'), created_at, e164 limit 1)
        and not exists (select 1 from contact_phones where contact_id = ${contactId} and is_primary)`;
  }
  if (record.addedTags?.length) {
    await tx`
      delete from contact_tags where contact_id = ${contactId}
        and tag_id in (select t.id from tags t join contacts c on c.business_id = t.business_id
                       where c.id = ${contactId} and lower(t.name) = any(${record.addedTags.map((t) => t.toLowerCase())}::text[]))`;
  }
}

/**
 * A later import that changed a value again recorded, as the value it replaced, the one the undone import wrote: that
 * record now says what the undone import had replaced, so that undoing the later import too gives back the value from
 * before both, whichever is undone first.
 */
async function rebaseLaterImports(
  tx: postgres.TransactionSql,
  undone: { id: string; businessId: string; createdAt: Date },
  changedOf: ReadonlyMap<string, readonly ChangedSince[]>,
  timesOf: ReadonlyMap<string, { written: string; previous: string }>,
): Promise<void> {
  if (changedOf.size === 0 && timesOf.size === 0) return;
  const contactIds = [...new Set([...changedOf.keys(), ...timesOf.keys()])];
  const later = await tx<{ file_hash: string; line: number; contact_id: string; previous: UndoRecord }[]>`
    select l.file_hash, l.line, l.contact_id, l.previous from import_ledger l
    where l.business_id = ${undone.businessId} and l.outcome = 'updated' and l.contact_id = any(${contactIds}::uuid[])
      and l.previous is not null
      and l.import_id in (select i.id from imports i where i.business_id = ${undone.businessId} and i.id <> ${undone.id} and i.created_at > ${undone.createdAt})
    for update`;
  const rebased: [string, number, UndoRecord][] = [];
  for (const row of later) {
    let changed = false;
    const time = timesOf.get(row.contact_id);
    if (time !== undefined && row.previous.updatedAt === time.written) {
      row.previous.updatedAt = time.previous;
      changed = true;
    }
    for (const change of changedOf.get(row.contact_id) ?? []) {
      if (change.part === 'primaryPhone') {
        if (row.previous.primaryPhone === undefined || row.previous.primaryPhone !== change.written) continue;
        row.previous.primaryPhone = change.previous;
        changed = true;
        continue;
      }
      const values = row.previous[change.part];
      if (values === undefined) continue;
      if (change.key in values) {
        if (values[change.key] !== change.written) continue;
        values[change.key] = change.previous;
        changed = true;
      } else if (change.part === 'contactAddress' || change.part === 'billingAddress') {
        // An address is one value: the later import that changed it again takes back the whole earlier address, as
        // written over by it, not only the parts it filled.
        values[change.key] = change.previous;
        const written = row.previous.written;
        if (written !== undefined) written[change.part] = { ...written[change.part], [change.key]: change.written };
        changed = true;
      }
    }
    if (changed) rebased.push([row.file_hash, row.line, row.previous]);
  }
  if (rebased.length === 0) return;
  await tx`
    update import_ledger l set previous = x->2
    from jsonb_array_elements(${JSON.stringify(rebased)}::jsonb) as x
    where l.business_id = ${undone.businessId} and l.file_hash = x->>0 and l.line = (x->>1)::int`;
}

/** The status of a workflow's latest run (`RUNNING`, `TERMINATED`, …), or undefined when the server has no such workflow. */
export type WorkflowStatusOf = (workflowId: string) => Promise<string | undefined>;

/**
 * Takes an import back in batches, last line first so that the earliest saved value of a field is the one that stays:
 * deletes the contacts it created (unless they have open conversations or invoices by now: those are kept, as the
 * archive rule would) and restores the fields it updated. Each batch removes its ledger rows in the same transaction,
 * so a retry or a crash picks up where it stopped, and the file can be imported again afterwards.
 */
export function createUndoImportActivities({ sql, workflowStatusOf }: { sql: postgres.Sql; workflowStatusOf?: WorkflowStatusOf }) {
  return {
    async undoImportBatch({ importId, batchSize }: { importId: string; batchSize: number }): Promise<UndoBatchResult> {
      return sql.begin(async (tx) => {
        const [found] = await tx<{ status: string; workflow_id: string; business_id: string; file_hash: string; created_at: Date }[]>`
          select status, workflow_id, business_id, file_hash, created_at from imports where id = ${importId} for update`;
        if (!found) throw new SwitchboardError('NotFound', `importId: no import ${importId}`);
        // An import whose workflow was terminated (or timed out) never marked itself: its workflow says it is over, or
        // the server no longer has it (a running workflow it always has).
        const stillRunning = async (workflowId: string) => (workflowStatusOf ? await workflowStatusOf(workflowId) : 'RUNNING') === 'RUNNING';
        if (found.status === 'running') {
          if (await stillRunning(found.workflow_id)) {
            throw new SwitchboardError('Conflict', `import ${importId} is still running: cancel its workflow ${found.workflow_id}, then undo it`);
          }
          await tx`update imports set status = 'failed', finished_at = now() where id = ${importId}`;
        }
        const nothing = { deleted: 0, restored: 0, kept: 0, changedSince: 0, businessId: found.business_id };
        if (found.status === 'undone') return { done: true, ...nothing, undoneBefore: true };
        if (found.status !== 'undoing') {
          // An import of the same file running meanwhile skips the lines this one holds, as imported already: undone
          // after it passed them, they would be nobody's. Once this undo has begun, such an import waits for its end.
          const others = await tx<{ id: string; workflow_id: string }[]>`
            select id, workflow_id from imports
            where business_id = ${found.business_id} and file_hash = ${found.file_hash} and id <> ${importId} and status = 'running'`;
          for (const other of others) {
            if (!(await stillRunning(other.workflow_id))) continue;
            throw new SwitchboardError(
              'Conflict',
              `import ${other.id} of the same file is running, and leaves the rows import ${importId} holds to it: let it finish (or cancel its workflow ${other.workflow_id}), then undo`,
            );
          }
          await tx`update imports set status = 'undoing' where id = ${importId}`;
        }
        const rows = await tx<{ line: number; outcome: string; contact_id: string | null; previous: UndoRecord | null }[]>`
          select line, outcome, contact_id, previous from import_ledger
          where import_id = ${importId} order by line desc limit ${batchSize}`;
        if (rows.length === 0) {
          await tx`update imports set status = 'undone' where id = ${importId}`;
          return { done: true, ...nothing };
        }
        const created = rows.filter((r) => r.outcome === 'created' && r.contact_id).map((r) => r.contact_id as string);
        // The tags the import gave contacts, left in the business's list once no contact has them.
        const tagsOfCreated: { tag_id: string }[] =
          created.length === 0 ? [] : [...(await tx<{ tag_id: string }[]>`select distinct tag_id from contact_tags where contact_id = any(${created}::uuid[])`)];
        const deleted = created.length === 0
          ? []
          : await tx`
              delete from contacts c where c.id = any(${created}::uuid[])
                -- Changed since the import ended (by a later import, a sync, a person): what changed it is kept.
                and c.updated_at <= (select coalesce(i.finished_at, now()) from imports i where i.id = ${importId})
                and ${withNothingOpen(tx)}
              returning c.id`;
        let restored = 0;
        let changedSince = 0;
        // Contacts an undone earlier import created, deleted now that the change that kept them is undone too.
        let deletedSince = 0;
        const changedOf = new Map<string, ChangedSince[]>();
        // Contacts given back their time of last change: a later import's record of the time this one wrote now says
        // the time from before it.
        const timesOf = new Map<string, { written: string; previous: string }>();
        const updated = rows.filter((r) => r.outcome === 'updated' && r.contact_id && r.previous);
        const currentOf = await currentValuesOf(tx, [...new Set(updated.map((r) => r.contact_id as string))]);
        // A contact several lines of the batch updated is read again after each restore: the next compares with that.
        const restoredBefore = new Set<string>();
        for (const row of updated) {
          if (!row.contact_id || !row.previous) continue;
          const current = restoredBefore.has(row.contact_id) ? (await currentValuesOf(tx, [row.contact_id])).get(row.contact_id) : currentOf.get(row.contact_id);
          restoredBefore.add(row.contact_id);
          // Deleted since: nothing of it to put back.
          if (current === undefined) continue;
          const { restore: values, changedSince: left } = stillAsWritten(row.previous, current);
          await restore(tx, row.contact_id, values);
          restored += 1;
          if (left.length === 0) {
            const { updatedAt, writtenAt, createdUntil } = row.previous;
            if (updatedAt === undefined || writtenAt === undefined) continue;
            timesOf.set(row.contact_id, { written: writtenAt, previous: updatedAt });
            // Changed by nothing since this import wrote it: it is again as it was before, then.
            if (current.updated_at !== writtenAt) continue;
            await tx`update contacts set updated_at = ${updatedAt}::timestamptz where id = ${row.contact_id}`;
            if (createdUntil !== undefined) {
              tagsOfCreated.push(...(await tx<{ tag_id: string }[]>`select tag_id from contact_tags where contact_id = ${row.contact_id}`));
              const [gone] = await tx`
                delete from contacts c where c.id = ${row.contact_id}
                  and c.updated_at <= ${createdUntil}::timestamptz
                  and ${withNothingOpen(tx)}
                returning c.id`;
              if (gone) deletedSince += 1;
            }
            continue;
          }
          changedSince += left.length;
          changedOf.set(row.contact_id, [...(changedOf.get(row.contact_id) ?? []), ...left]);
        }
        await rebaseLaterImports(tx, { id: importId, businessId: found.business_id, createdAt: found.created_at }, changedOf, timesOf);
        const tagsAdded = [...new Set(updated.flatMap((r) => r.previous?.addedTags ?? []).map((tag) => tag.toLowerCase()))];
        if (tagsOfCreated.length > 0 || tagsAdded.length > 0) {
          await tx`
            delete from tags t where t.business_id = ${found.business_id}
              and (t.id = any(${tagsOfCreated.map((r) => r.tag_id)}::uuid[]) or lower(t.name) = any(${tagsAdded}::text[]))
              and not exists (select 1 from contact_tags ct where ct.tag_id = t.id)`;
        }
        await tx`delete from import_ledger where import_id = ${importId} and line = any(${rows.map((r) => r.line)}::int[])`;
        const deletedIds = new Set(deleted.map((d) => d.id as string));
        const kept = created.filter((id) => !deletedIds.has(id));
        if (kept.length > 0) {
          // Kept for a later import's change: undoing that one gives the contact back as this import made it, to delete.
          await tx`
            update import_ledger l set previous = l.previous || jsonb_build_object('createdUntil', (select coalesce(i.finished_at, now())::text from imports i where i.id = ${importId}))
            where l.business_id = ${found.business_id} and l.outcome = 'updated' and l.contact_id = any(${kept}::uuid[]) and l.previous is not null
              and l.import_id in (select i.id from imports i where i.business_id = ${found.business_id} and i.id <> ${importId} and i.created_at > ${found.created_at})`;
        }
        return { done: false, deleted: deleted.length + deletedSince, restored, kept: kept.length, changedSince, businessId: found.business_id };
      });
    },
  };
}
