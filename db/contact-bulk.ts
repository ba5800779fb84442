import type postgres from 'postgres';
import { SwitchboardError } from '../domain/errors';
import { identityKeyOfString, identityKeyString, type IdentityKey } from '../domain/identity';
import { KeyFilter } from '../domain/key-filter';
import type { ChunkPlan, StoredContact } from '../domain/import/plan';
import type { ContactUpdate, ImportedContact, StoredAddress } from '../domain/import/rows';
import { addressRow, newContactRows, type ContactUpdateRow, type PhoneRow, type TagLinkRow } from './bulk-rows';
import { timeOrderedId } from './ids';
import { settledInOrder } from './pipelined';

/**
 * Set-based reads and writes of many contacts at once, for imports and syncs. A statement's rows travel as one JSON
 * parameter, an array of rows each an array of columns (`bulk-rows.ts`), unpacked as `jsonb` by position: a few
 * statements per chunk instead of several per contact, which is what keeps a million-row import within minutes.
 * Drizzle stays the way for everything else.
 */

type Sql = postgres.TransactionSql | postgres.Sql;

interface StoredRow {
  id: string;
  anonymous: boolean;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  business_name: string | null;
  email: string | null;
  email_normalized: string | null;
  notes: string | null;
  status: 'active' | 'archived';
  updated_at: string;
  custom_fields: Record<string, string>;
  phones: StoredContact['phones'];
  tags: string[];
  contact_address: StoredAddress | null;
  billing_address: StoredAddress | null;
}

const UNIQUE_VIOLATION = '23505';

/**
 * The tables a bulk write fills and a bulk lookup reads. `contact_tags` too: without statistics the planner expects
 * thousands of tags per contact, and reads each looked-up contact's tags with a bitmap scan and a scan of the tags.
 */
const BULK_TABLES = ['contacts', 'contact_phones', 'contact_tags', 'import_ledger', 'external_links'];

/** The unique indexes that hold a business's emails and phones to one contact each under the `unique` policy. */
const IDENTITY_INDEXES = new Set(['contacts_business_email_key', 'contact_phones_business_e164_key']);

/**
 * Statistics target of the analyses below: a sample of 300 times this many rows. The bulk lookups need the size of
 * each table and how many rows share a key, which a sample of 3,000 rows tells as well as the default 30,000 does. A
 * million-row import analyses its tables about a hundred times: with the default sample that was 12 s of its 177 s of
 * statements. Autovacuum's own analyses, where it is on, still use the default.
 */
const BULK_STATISTICS_TARGET = 10;

/**
 * Refreshes the planner's statistics of the tables an import or a sync fills, where they have grown by a fifth since last
 * analysed. A bulk load outruns autovacuum (or runs where it is off), and a planner that still thinks a table is
 * empty answers "which of these emails exist" by reading every contact of the business.
 */
export async function refreshPlannerStatistics(sql: postgres.Sql): Promise<string[]> {
  const stale = await sql<{ relname: string }[]>`
    select relname from pg_stat_user_tables
    where schemaname = current_schema() and relname = any(${BULK_TABLES}::text[])
      and n_mod_since_analyze > greatest(5000, n_live_tup / 5)`;
  if (stale.length > 0) {
    await sql.begin(async (tx) => {
      await tx`select set_config('default_statistics_target', ${String(BULK_STATISTICS_TARGET)}, true)`;
      for (const { relname } of stale) await tx`analyze ${tx(relname)}`;
    });
  }
  return stale.map((t) => t.relname);
}

/** How a bulk write's foreign keys are checked: by PostgreSQL row by row, or by the write itself, set-wise. */
export type ReferenceChecks = 'per-row' | 'set-wise';

/**
 * Whether this database role may switch foreign-key checks off for a transaction of its own: a superuser may, and
 * since PostgreSQL 15 so may a role granted `SET ON PARAMETER session_replication_role`.
 */
export async function referenceChecksAvailable(sql: Sql): Promise<ReferenceChecks> {
  const [role] = await sql<{ superuser: boolean; version: number }[]>`
    select current_setting('is_superuser') = 'on' as superuser, current_setting('server_version_num')::int as version`;
  if (role?.superuser) return 'set-wise';
  if ((role?.version ?? 0) < 150000) return 'per-row';
  const [granted] = await sql<{ may: boolean }[]>`select has_parameter_privilege('session_replication_role', 'SET') as may`;
  return granted?.may ? 'set-wise' : 'per-row';
}

/**
 * Locks what a bulk write's rows point to, once, and with `set-wise` switches the per-row foreign-key checks off for
 * the rest of the transaction.
 *
 * A foreign key checks every inserted row with a query of its own that locks the row it points to. An import batch
 * inserts a contact, its phones, tags and a ledger row per line: those checks were about a third of the database's
 * work in an import. The guarantee they give is kept set-wise instead: the business (and the import,
 * for its ledger) are locked here `for key share`, as each check would lock them; every contact the write points to
 * is created in this transaction or was locked `for update` by `loadStoredContacts`; and `writeContacts` locks the
 * tags it links in the statement that links them. `session_replication_role = replica` also skips triggers and
 * cascades: these tables have no triggers, and a bulk write deletes nothing, so no cascade is skipped. It must not
 * be used in a transaction that deletes.
 */
export async function lockReferencedRows(
  tx: postgres.TransactionSql,
  parents: { businessId: string; importId?: string },
  checks: ReferenceChecks,
): Promise<void> {
  // Both statements go out at once; a missing parent fails the transaction before it commits.
  const [[locked]] = await settledInOrder([
    tx<{ business: boolean; import_status: string | null }[]>`
      select
        exists (select 1 from businesses where id = ${parents.businessId} for key share) as business,
        (select status from imports where id = ${parents.importId ?? null} for key share) as import_status`.execute(),
    checks === 'set-wise' ? tx`set local session_replication_role = replica`.execute() : undefined,
  ] as const);
  if (!locked?.business) throw new SwitchboardError('NotFound', `businessId: no business ${parents.businessId}; was it deleted?`);
  if (parents.importId === undefined) return;
  if (locked.import_status === null) throw new SwitchboardError('NotFound', `importId: no import ${parents.importId}; was it deleted?`);
  // An undo waits for this lock and marks the import first: a chunk of a terminated import's workflow, still
  // writing when the undo came, must not write after it.
  if (locked.import_status !== 'running') {
    throw new SwitchboardError('Conflict', `import ${parents.importId} is ${locked.import_status}: a chunk of it still writing after its workflow stopped wrote nothing more`);
  }
}

const keysOfUsersStatement = (sql: Sql, businessId: string) => sql<IdentityKey[]>`select kind, value from identity_keys where business_id = ${businessId}`;

/** The emails and phones the users (agents, admins) of the business hold, as identity key strings. */
export async function loadKeysOfUsers(sql: Sql, businessId: string): Promise<Set<string>> {
  return new Set((await keysOfUsersStatement(sql, businessId)).map(identityKeyString));
}

/**
 * Makes sure, in a transaction about to write contacts' keys, that the users' keys a batch was checked against
 * (`refuseKeysOfUsers`) are still all there are, and that no user can be given another until the transaction ends:
 * the business is locked `for key share`, which `addBusinessUser` waits for. A user given a key since the check
 * fails the batch as a retryable conflict, and the retry checks against the keys as they are then.
 */
export async function holdKeysOfUsers(tx: postgres.TransactionSql, businessId: string, checkedAgainst: ReadonlySet<string>): Promise<void> {
  // Two statements, not one: a statement that waited for the lock still reads with the snapshot it began with, and
  // would miss the key of a user whose addition it waited for. The next statement sees it.
  const [, rows] = await settledInOrder([
    tx`select 1 from businesses where id = ${businessId} for key share`.execute(),
    keysOfUsersStatement(tx, businessId).execute(),
  ] as const);
  if (rows.map(identityKeyString).some((key) => !checkedAgainst.has(key))) {
    throw new SwitchboardError('Conflict', 'a user (agent or admin) of the business was given an email or phone meanwhile; retrying the chunk', true);
  }
}

/** The distinct normalised emails and E.164 numbers of incoming contacts, as the lookups take them. */
function distinctKeyValues(incoming: readonly ImportedContact[]): { emails: string[]; phones: string[] } {
  return {
    emails: [...new Set(incoming.flatMap((c) => (c.email ? [c.email.normalized] : [])))],
    phones: [...new Set(incoming.flatMap((c) => c.phones.map((p) => p.e164)))],
  };
}

/**
 * The contacts of the business holding any email or phone of these incoming contacts, archived ones included, locked
 * until the transaction ends so that a concurrent writer cannot change them under the plan.
 *
 * Each key is one index probe, and so is each contact found. `offset 0` keeps the planner from flattening the
 * lateral subqueries into hash joins, and `= any(array(…))` from merge-joining the few matches with the whole primary
 * key: for a batch of thousands of keys either plan reads every contact of the business, which at a million contacts
 * costs seconds per batch against tens of milliseconds for the probes.
 */
export async function loadStoredContacts(
  sql: Sql,
  businessId: string,
  incoming: readonly ImportedContact[],
  /** Contacts wanted whatever their keys (those an external record is linked to). */
  alsoIds: readonly string[] = [],
): Promise<StoredContact[]> {
  const { emails, phones } = distinctKeyValues(incoming);
  const ids = [...new Set(alsoIds)];
  if (emails.length === 0 && phones.length === 0 && ids.length === 0) return [];
  const rows = await sql<StoredRow[]>`
    with matched as (
      select c.id from unnest(${emails}::text[]) as e(value)
        cross join lateral (select id from contacts where business_id = ${businessId} and email_normalized = e.value offset 0) c
      union
      select p.contact_id from unnest(${phones}::text[]) as n(value)
        cross join lateral (select contact_id from contact_phones where business_id = ${businessId} and e164 = n.value offset 0) p
      union
      select id from contacts where business_id = ${businessId} and id = any(${ids}::uuid[])
    )
    select c.id, c.first_name, c.middle_name, c.last_name, c.business_name, c.email, c.email_normalized, c.notes, c.status,
      c.updated_at::text as updated_at, c.anonymous, c.custom_fields,
      coalesce((select json_agg(json_build_object('raw', p.raw, 'e164', p.e164, 'type', p.type, 'isPrimary', p.is_primary)
                order by p.is_primary desc, p.created_at, p.e164) from contact_phones p where p.contact_id = c.id), '[]') as phones,
      coalesce((select json_agg(t.name order by t.name) from contact_tags ct join tags t on t.id = ct.tag_id
                where ct.contact_id = c.id), '[]') as tags,
      (select json_build_object('line1', a.line1, 'line2', a.line2, 'city', a.city, 'region', a.region, 'postalCode', a.postal_code, 'country', a.country)
         from contact_addresses a where a.contact_id = c.id and a.kind = 'contact') as contact_address,
      (select json_build_object('line1', a.line1, 'line2', a.line2, 'city', a.city, 'region', a.region, 'postalCode', a.postal_code, 'country', a.country)
         from contact_addresses a where a.contact_id = c.id and a.kind = 'billing') as billing_address
    from contacts c where c.id = any(array(select id from matched))
    order by c.id
    for update of c`.execute();
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    updatedAt: r.updated_at,
    anonymous: r.anonymous,
    firstName: r.first_name,
    middleName: r.middle_name,
    lastName: r.last_name,
    businessName: r.business_name,
    email: r.email,
    emailNormalized: r.email_normalized,
    notes: r.notes,
    customFields: r.custom_fields,
    phones: r.phones,
    tags: r.tags,
    contactAddress: r.contact_address,
    billingAddress: r.billing_address,
  }));
}

/** Which of these ids are of contacts of the business: an index probe per id, without locks. */
export async function existingContactIds(sql: Sql, businessId: string, ids: readonly string[]): Promise<Set<string>> {
  const rows = await sql<{ id: string }[]>`select id from contacts where business_id = ${businessId} and id = any(${ids}::uuid[])`;
  return new Set(rows.map((row) => row.id));
}

/**
 * Which of these emails and phones (identity key strings) some contact of the business holds:
 * an index probe per key, without locks and without loading anyone. It lets an import look up, under lock and in
 * full, only the rows that may match (`loadStoredContacts`), and it can run on another connection while the batch
 * before is still being written. What it says is as of when it ran: the caller must account for keys written since.
 */
export async function heldIdentityKeys(sql: Sql, businessId: string, keyNames: Iterable<string>): Promise<Set<string>> {
  const emails = new Set<string>();
  const phones = new Set<string>();
  for (const name of keyNames) {
    const key = identityKeyOfString(name);
    (key.kind === 'email' ? emails : phones).add(key.value);
  }
  if (emails.size === 0 && phones.size === 0) return new Set();
  // `limit 1` keeps each probe a probe: the planner cannot turn the lateral subquery into a join over the whole table.
  const rows = await sql<IdentityKey[]>`
    select 'email' as kind, e.value from unnest(${[...emails]}::text[]) as e(value)
      cross join lateral (select from contacts where business_id = ${businessId} and email_normalized = e.value limit 1) c
    union all
    select 'phone', n.value from unnest(${[...phones]}::text[]) as n(value)
      cross join lateral (select from contact_phones where business_id = ${businessId} and e164 = n.value limit 1) p`;
  return new Set(rows.map(identityKeyString));
}

/**
 * Every email and phone the business's contacts hold, as identity key strings in a filter that may answer "maybe" for
 * a key it does not hold but never "no" for one it does. It knows what was stored when it was read; its reader keeps
 * it up to date with the keys it commits itself, and must not trust it for keys other writers may have stored since.
 */
export async function loadIdentityKeyFilter(sql: Sql, businessId: string, afterEachPage?: () => void): Promise<KeyFilter> {
  const filter = new KeyFilter();
  const cursor = sql<IdentityKey[]>`
    select 'email' as kind, email_normalized as value from contacts where business_id = ${businessId} and email_normalized is not null
    union all
    select 'phone', e164 from contact_phones where business_id = ${businessId}`.cursor(10_000);
  for await (const rows of cursor) {
    for (const row of rows) filter.add(identityKeyString(row));
    afterEachPage?.();
  }
  return filter;
}

// Sent as text and cast in SQL: postgres.js would pass an object as is to a parameter the server types as json.
const json = (value: unknown) => JSON.stringify(value);

/**
 * A plan's rows as the statements that write them take them, with the id given to each planned create by its ref.
 * Building them is the worker's share of a write: it can be done before the transaction that runs them.
 */
export interface ContactWrites {
  ids: Map<string, string>;
  contacts?: string;
  updates?: string;
  phones?: string;
  tagNames: string[];
  tagLinks?: string;
  addresses?: string;
  /** Addresses an update replaces whole, as address rows: every part set, null where the row's address has none. */
  replacedAddresses?: string;
  /** `[contactId, e164]`: the number, held or just added, that becomes the contact's primary. */
  primaries?: string;
}

const jsonOrNothing = (rows: readonly unknown[]) => (rows.length > 0 ? json(rows) : undefined);

/**
 * Tag names as a batch's writes send them: one per tag, whatever the case. A batch links thousands of contacts to a
 * few tags, and only those few names go to the server; a tag new to the business is spelt as the first of them has it.
 */
export function distinctTagNames(names: Iterable<string>): string[] {
  const byKey = new Map<string, string>();
  for (const name of names) if (!byKey.has(name.toLowerCase())) byKey.set(name.toLowerCase(), name);
  return [...byKey.values()];
}

export function buildContactWrites(plan: ChunkPlan): ContactWrites {
  const ids = new Map(plan.creates.map((c) => [c.ref, timeOrderedId()]));
  const created = plan.creates.map((c) => newContactRows(ids.get(c.ref) as string, c.contact));
  const contacts = created.map((rows) => rows.contact);
  const updates = plan.updates.map(({ contactId, update: { changes } }): ContactUpdateRow => [
    contactId,
    changes.fields.firstName ?? null,
    changes.fields.middleName ?? null,
    changes.fields.lastName ?? null,
    changes.fields.businessName ?? null,
    changes.fields.notes ?? null,
    changes.fields.email ?? null,
    changes.fields.emailNormalized ?? null,
    changes.customFields,
  ]);
  const phones = [
    ...created.flatMap((rows) => rows.phones),
    ...plan.updates.flatMap(({ contactId, update }) => update.changes.addPhones.map((p): PhoneRow => [contactId, p.raw, p.e164, p.type, p.isPrimary])),
  ];
  const tagLinks = [
    ...created.flatMap((rows) => rows.tagLinks),
    ...plan.updates.flatMap(({ contactId, update }) => update.changes.addTags.map((name): TagLinkRow => [contactId, name])),
  ];
  const replacing = (changes: ContactUpdate['changes'], kind: 'contactAddress' | 'billingAddress') => changes.replacedAddresses?.includes(kind) === true;
  const addresses = [
    ...created.flatMap((rows) => rows.addresses),
    ...plan.updates.flatMap(({ contactId, update: { changes } }) => [
      ...(replacing(changes, 'contactAddress') ? [] : addressRow(contactId, 'contact', changes.contactAddress)),
      ...(replacing(changes, 'billingAddress') ? [] : addressRow(contactId, 'billing', changes.billingAddress)),
    ]),
  ];
  const replacedAddresses = plan.updates.flatMap(({ contactId, update: { changes } }) => [
    ...(replacing(changes, 'contactAddress') ? addressRow(contactId, 'contact', changes.contactAddress) : []),
    ...(replacing(changes, 'billingAddress') ? addressRow(contactId, 'billing', changes.billingAddress) : []),
  ]);
  return {
    ids,
    contacts: jsonOrNothing(contacts),
    updates: jsonOrNothing(updates),
    phones: jsonOrNothing(phones),
    tagNames: distinctTagNames(tagLinks.map(([, name]) => name)),
    tagLinks: jsonOrNothing(tagLinks),
    addresses: jsonOrNothing(addresses),
    replacedAddresses: jsonOrNothing(replacedAddresses),
    primaries: jsonOrNothing(plan.updates.flatMap(({ contactId, update }) => (update.changes.primaryPhone === undefined ? [] : [[contactId, update.changes.primaryPhone]]))),
  };
}

/**
 * Two sets of built writes as one, so that they are written by one round of statements. They must be of different
 * rows (a batch's new people and the rest of it): a contact in both would have its address written twice in one
 * statement. A tag new to the business is spelt as the first set spells it.
 */
export function combineContactWrites(first: ContactWrites, second: ContactWrites): ContactWrites {
  const joined = (a: string | undefined, b: string | undefined) => (a && b ? `${a.slice(0, -1)},${b.slice(1)}` : (a ?? b));
  const combined: ContactWrites = { ids: new Map([...first.ids, ...second.ids]), tagNames: distinctTagNames([...first.tagNames, ...second.tagNames]) };
  for (const part of ['contacts', 'updates', 'phones', 'tagLinks', 'addresses', 'replacedAddresses', 'primaries'] as const) {
    const value = joined(first[part], second[part]);
    if (value !== undefined) combined[part] = value;
  }
  return combined;
}

/**
 * Writes a chunk's plan: new contacts with their phones, tags and addresses, and the updates of existing ones.
 * Returns the id given to each planned create, by its ref. A plan overtaken by another writer fails as a retryable
 * `Conflict`.
 */
export async function writeContacts(
  sql: Sql,
  businessId: string,
  plan: ChunkPlan,
  options: { uniqueIdentity: boolean; source: string },
): Promise<Map<string, string>> {
  const writes = buildContactWrites(plan);
  await runContactWrites(sql, businessId, writes, options);
  return writes.ids;
}

/**
 * Runs built writes (`buildContactWrites`). Writes overtaken by another writer fail as a retryable `Conflict`. The
 * statements are sent at once, in the order they must run, before this returns: a caller may send more behind them
 * at once (they run after these), and the server never waits for the worker between them.
 */
export async function runContactWrites(sql: Sql, businessId: string, writes: ContactWrites, options: { uniqueIdentity: boolean; source: string }): Promise<void> {
  try {
    await runWrites(sql, businessId, writes, options);
  } catch (error) {
    // The writes are plain inserts, cheaper than `on conflict` checking each row first: a key another writer took
    // since the plan was made (an email or phone, or a tag link of a contact it also changed) fails them on a unique
    // index, and the chunk is planned again against what is stored now.
    const failure = error as postgres.PostgresError;
    if (failure.code !== UNIQUE_VIOLATION) throw error;
    throw new SwitchboardError(
      'Conflict',
      IDENTITY_INDEXES.has(failure.constraint_name ?? '')
        ? 'an email or phone of this chunk was claimed by another writer meanwhile; retrying the chunk'
        : `a contact of this chunk was changed by another writer meanwhile (${failure.table_name}); retrying the chunk`,
      true,
    );
  }
}

async function runWrites(sql: Sql, businessId: string, writes: ContactWrites, options: { uniqueIdentity: boolean; source: string }): Promise<void> {
  const identityScope = options.uniqueIdentity ? businessId : null;
  const statements: Promise<unknown>[] = [];
  if (writes.contacts) {
    statements.push(sql`
      insert into contacts (id, business_id, first_name, middle_name, last_name, business_name, notes, email, email_normalized, custom_fields, source,
        identity_scope)
      select (x->>0)::uuid, ${businessId}, x->>1, x->>2, x->>3, x->>4, x->>5, x->>6, x->>7, coalesce(nullif(x->8, 'null'), '{}'), ${options.source},
        ${identityScope}::uuid
      from jsonb_array_elements(${writes.contacts}::jsonb) as x`.execute());
  }

  if (writes.updates) {
    // An update only ever carries values to set, never blanks: coalesce keeps whatever it does not mention.
    statements.push(sql`
      update contacts c set
        first_name = coalesce(x->>1, c.first_name),
        middle_name = coalesce(x->>2, c.middle_name),
        last_name = coalesce(x->>3, c.last_name),
        business_name = coalesce(x->>4, c.business_name),
        notes = coalesce(x->>5, c.notes),
        email = coalesce(x->>6, c.email),
        email_normalized = coalesce(x->>7, c.email_normalized),
        custom_fields = c.custom_fields || coalesce(nullif(x->8, 'null'), '{}'),
        -- A contact known only by its phone or email is no longer once a row names it.
        anonymous = c.anonymous and x->>1 is null and x->>3 is null,
        hidden = c.hidden and x->>1 is null and x->>3 is null,
        updated_at = now()
      from jsonb_array_elements(${writes.updates}::jsonb) as x
      where c.id = (x->>0)::uuid`.execute());
  }

  if (writes.phones) {
    statements.push(sql`
      insert into contact_phones (contact_id, business_id, raw, e164, type, is_primary, identity_scope)
      select (x->>0)::uuid, ${businessId}, x->>1, x->>2, (x->>3)::phone_type, (x->4)::boolean, ${identityScope}::uuid
      from jsonb_array_elements(${writes.phones}::jsonb) as x`.execute());
  }

  if (writes.primaries) {
    // In two statements: one contact holds one primary, checked row by row, so the old one goes first. A number the
    // contact does not hold (left out of its phones meanwhile) takes nothing away.
    statements.push(sql`
      update contact_phones p set is_primary = false
      from jsonb_array_elements(${writes.primaries}::jsonb) as x
      where p.contact_id = (x->>0)::uuid and p.is_primary and p.e164 <> x->>1
        and exists (select 1 from contact_phones q where q.business_id = ${businessId} and q.contact_id = p.contact_id and q.e164 = x->>1)`.execute());
    statements.push(sql`
      update contact_phones p set is_primary = true
      from jsonb_array_elements(${writes.primaries}::jsonb) as x
      where p.business_id = ${businessId} and p.e164 = x->>1 and p.contact_id = (x->>0)::uuid and not p.is_primary`.execute());
  }

  if (writes.tagLinks) {
    const names = writes.tagNames;
    statements.push(sql`
      insert into tags (business_id, name)
      select ${businessId}::uuid, n from unnest(${names}::text[]) as n
      on conflict (business_id, lower(name)) do nothing`.execute());
    // The tags are locked as a foreign-key check would lock them, for writes that check references set-wise. The plan
    // adds only tags a contact lacks; `distinct` folds names that differ only in case into one link.
    statements.push(sql`
      with linked as (
        select t.id, lower(t.name) as name from tags t
        where t.business_id = ${businessId} and lower(t.name) in (select lower(n) from unnest(${names}::text[]) as n)
        for key share
      )
      insert into contact_tags (contact_id, tag_id)
      select distinct (x->>0)::uuid, t.id
      from jsonb_array_elements(${writes.tagLinks}::jsonb) as x
      join linked t on t.name = lower(x->>1)`.execute());
  }

  if (writes.addresses) {
    // Only empty parts are ever filled: coalesce keeps every part already there.
    statements.push(sql`
      insert into contact_addresses (contact_id, kind, line1, line2, city, region, postal_code, country)
      select (x->>0)::uuid, (x->>1)::address_kind, x->>2, x->>3, x->>4, x->>5, x->>6, x->>7
      from jsonb_array_elements(${writes.addresses}::jsonb) as x
      on conflict (contact_id, kind) do update set
        line1 = coalesce(contact_addresses.line1, excluded.line1),
        line2 = coalesce(contact_addresses.line2, excluded.line2),
        city = coalesce(contact_addresses.city, excluded.city),
        region = coalesce(contact_addresses.region, excluded.region),
        postal_code = coalesce(contact_addresses.postal_code, excluded.postal_code),
        country = coalesce(contact_addresses.country, excluded.country)`.execute());
  }
  if (writes.replacedAddresses) {
    // The stored address is the old one whole: a part the row's address has not is emptied.
    statements.push(sql`
      update contact_addresses a set
        line1 = nullif(x->>2, ''), line2 = nullif(x->>3, ''), city = nullif(x->>4, ''),
        region = nullif(x->>5, ''), postal_code = nullif(x->>6, ''), country = nullif(x->>7, '')
      from jsonb_array_elements(${writes.replacedAddresses}::jsonb) as x
      where a.contact_id = (x->>0)::uuid and a.kind = (x->>1)::address_kind`.execute());
  }
  await settledInOrder(statements);
}
