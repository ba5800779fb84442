import { heartbeat } from '@temporalio/activity';
import { rename, rm } from 'node:fs/promises';
import type postgres from 'postgres';
import { SAMPLE_RECORDS } from '../connectors/csv/reader';
import { asWriteFailure, createCsvWriter, writableCsvTarget } from '../connectors/csv/writer';
import type { Db } from '../db/client';
import { findBusiness } from '../db/businesses';
import { SwitchboardError } from '../domain/errors';
import { extensionOf } from '../domain/phone';
import { customFieldName, exportColumnNames, exportFixedColumns } from '../domain/import/fields';
import { autoMapColumns } from '../domain/import/mapping';
import { withMeantName, type ExportContactsCsvInput } from '../domain/inputs';

/**
 * What an export can hold, each with its headers. The headers are ones the import maps without help, so that an
 * exported file imports back into the same contacts.
 */
const fixedColumns = exportFixedColumns;
type FixedColumn = keyof typeof fixedColumns;
// The id first, as record ids lead other tools' exports: a file edited and imported back updates the contacts it
// names, even where a row's email and phones have all been changed.
const defaultColumns = ['id', 'firstName', 'middleName', 'lastName', 'businessName', 'email', 'phones', 'tags', 'notes', 'contactAddress', 'billingAddress', 'customFields'];

const phoneLabel: Record<string, string> = { mobile: 'Mobile', home: 'Home', work: 'Work', fax: 'Fax', other: 'Other' };

interface ExportRow {
  id: string;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  business_name: string | null;
  email: string | null;
  notes: string | null;
  status: string;
  custom_fields: Record<string, string>;
  /** ISO 8601 in UTC, written by the statement: the shared client reads timestamps as text in the server's form. */
  created_at: string;
  updated_at: string;
  phones: { e164: string; raw: string; type: string; is_primary: boolean }[];
  tags: string[];
  contact_address: Record<string, string | null> | null;
  billing_address: Record<string, string | null> | null;
}

const addressParts = ['line1', 'line2', 'city', 'region', 'postal_code', 'country'];

function cellsOf(column: string, row: ExportRow, phoneSlots: number, customKeys: string[]): string[] {
  switch (column) {
    case 'id':
      return [row.id];
    case 'firstName':
      return [row.first_name];
    case 'middleName':
      return [row.middle_name ?? ''];
    case 'lastName':
      return [row.last_name];
    case 'businessName':
      return [row.business_name ?? ''];
    case 'email':
      // A webchat guest's pseudonymous address (`…@guest.invalid`) reaches no one, and means nothing to another system.
      return [row.email === null || isReservedInvalid(row.email) ? '' : row.email];
    case 'tags':
      return [tagsCell(row.tags)];
    case 'notes':
      return [row.notes ?? ''];
    case 'contactAddress':
      return addressParts.map((p) => row.contact_address?.[p] ?? '');
    case 'billingAddress':
      return addressParts.map((p) => row.billing_address?.[p] ?? '');
    case 'status':
      return [row.status];
    case 'createdAt':
      return [row.created_at];
    case 'updatedAt':
      return [row.updated_at];
    case 'phones':
      return Array.from({ length: phoneSlots }, (_, i) => row.phones[i]).flatMap((p) => (p ? [labelOf(p, row.phones.length), withExtension(p)] : ['', '']));
    case 'customFields':
      return customKeys.map((key) => row.custom_fields[key] ?? '');
    default:
      return [];
  }
}

/**
 * The number's kind, marked "* " when it is the primary of several, as Google marks it: the import reads the mark, so
 * a contact whose home number is primary keeps it so, where the import would otherwise choose the mobile.
 */
function labelOf(phone: ExportRow['phones'][number], numbers: number): string {
  const label = phoneLabel[phone.type] ?? 'Other';
  return phone.is_primary && numbers > 1 ? `* ${label}` : label;
}

/**
 * A contact's tags joined with "; ", unless one holds a comma or semicolon (a Google label): then written as Google
 * writes labels, its own "* myContacts" first, so that the import reads them as such and each comes back whole.
 */
function tagsCell(tags: readonly string[]): string {
  return tags.some((tag) => /[;,]/.test(tag)) ? ['* myContacts', ...tags].join(' ::: ') : tags.join('; ');
}

const ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

const TAGS_LISTED = 20;

/** The number in E.164, which reads the same in any country, with the extension written beside it, which E.164 has not. */
function withExtension(phone: { e164: string; raw: string }): string {
  const extension = extensionOf(phone.raw, phone.e164);
  return extension === undefined ? phone.e164 : `${phone.e164} ext. ${extension}`;
}

/**
 * A custom field's header: its name, unless the import would read that column as a contact field, by its name
 * ("Street", "Home") or by the values of the file's first rows (an "Invoices to" of emails, a "WhatsApp" of numbers of
 * the business's country), which would put the field's values in the contact's address, phones or email on the way
 * back. `firstValues`: the field's values in the rows the import samples, '' where a row has none.
 */
function customFieldHeader(name: string, otherHeaders: ReadonlySet<string>, firstValues: readonly string[], defaultCountry: string): string {
  // The import maps headers ignoring letter case: a custom field "email" beside the "Email" column would be read as one.
  if (otherHeaders.has(name.trim().toLowerCase())) return `custom:${name}`;
  const [read] = autoMapColumns([name], firstValues.map((value) => [value]), { defaultCountry });
  return read !== undefined && customFieldName(read.field) === name.trim() ? name : `custom:${name}`;
}

const isReservedInvalid = (email: string) => email.toLowerCase().endsWith('.invalid');

/** A tag the business does not have is a typo more often than not: an export filtered by it would be quietly short. */
async function requireKnownTags(sql: postgres.Sql, businessId: string, given: readonly string[]): Promise<void> {
  const rows = await sql<{ name: string }[]>`select name from tags where business_id = ${businessId} order by lower(name)`;
  const known = rows.map((row) => row.name);
  const knownLower = new Set(known.map((name) => name.toLowerCase()));
  const unknown = given.filter((tag) => !knownLower.has(tag.toLowerCase()));
  if (unknown.length === 0) return;
  // Quoted: a tag may hold a comma or a semicolon ("Smith, J referrals").
  const quoted = (tag: string) => `'${tag}'`;
  const listed = known.length === 0 ? 'it has none' : `its tags are ${known.slice(0, TAGS_LISTED).map(quoted).join(', ')}${known.length > TAGS_LISTED ? ` and ${known.length - TAGS_LISTED} more` : ''}`;
  throw new SwitchboardError(
    'InvalidInput',
    `tags: the business has no tag ${unknown.map((tag) => withMeantName(tag, known, quoted)).join(', ')}; ${listed}`,
  );
}

export function createExportActivities({ db, sql }: { db: Db; sql: postgres.Sql }) {
  return {
    /** Streams the business's contacts to a CSV file, written beside the target and renamed into place when whole. */
    async exportContacts(input: ExportContactsCsvInput): Promise<{ output: string; rows: number; columns: string[] }> {
      const business = await findBusiness(db, input.businessId);
      if (!business) throw new SwitchboardError('NotFound', `businessId: no business ${input.businessId}`);
      const columns = input.columns ?? defaultColumns;
      const twice = [...new Set(columns.filter((c, i) => columns.indexOf(c) !== i))];
      // Two columns of one header would import back as one value and a custom field.
      if (twice.length > 0) throw new SwitchboardError('InvalidInput', `columns: ${twice.join(', ')} given more than once`);
      const unknown = columns.filter((c) => !(exportColumnNames as readonly string[]).includes(c));
      if (unknown.length > 0) {
        const named = unknown.map((c) => withMeantName(c, exportColumnNames));
        throw new SwitchboardError('InvalidInput', `columns: unknown column${unknown.length > 1 ? 's' : ''} ${named.join(', ')}; the columns are ${exportColumnNames.join(', ')}`);
      }
      if (!columns.includes('firstName') || !columns.includes('lastName')) {
        throw new SwitchboardError('InvalidInput', 'columns: firstName and lastName are required: a contact is known by its name');
      }
      const output = await writableCsvTarget(input.output, 'output');

      const tags = (input.tags ?? []).map((t) => t.toLowerCase());
      if (tags.length > 0) await requireKnownTags(sql, business.id, input.tags ?? []);
      const filter = sql`
        c.business_id = ${business.id} and not c.hidden
        ${input.includeArchived ? sql`` : sql`and c.status = 'active'`}
        ${tags.length > 0 ? sql`and exists (select 1 from contact_tags ct join tags t on t.id = ct.tag_id where ct.contact_id = c.id and lower(t.name) = any(${tags}::text[]))` : sql``}`;
      // The import samples the file's first rows: the custom fields' headers are chosen from the same rows.
      // In the order people sort names ("adams", "Ångström", "Zola"), where the server has ICU; else the database's.
      const [{ icu } = { icu: false }] = await sql<{ icu: boolean }[]>`select exists (select 1 from pg_collation where collname = 'und-x-icu') as icu`;
      const order = icu ? sql`c.last_name collate "und-x-icu", c.first_name collate "und-x-icu", c.id` : sql`c.last_name, c.first_name, c.id`;
      const [shape] = await sql<{ phone_slots: number; custom_keys: string[] }[]>`
        select coalesce(max((select count(*) from contact_phones p where p.contact_id = c.id)), 0)::int as phone_slots,
          coalesce((select array_agg(distinct k order by k) from contacts c2, jsonb_object_keys(c2.custom_fields) k
                    where c2.id in (select c.id from contacts c where ${filter})), '{}') as custom_keys
        from contacts c where ${filter}`;
      const phoneSlots = columns.includes('phones') ? Math.max(1, shape?.phone_slots ?? 0) : 0;
      const customKeys = columns.includes('customFields') ? [...(shape?.custom_keys ?? [])].sort(new Intl.Collator('en').compare) : [];
      const headersOf = (column: string) =>
        column === 'phones'
          ? Array.from({ length: phoneSlots }, (_, i) => [`Phone ${i + 1} - Label`, `Phone ${i + 1} - Value`]).flat()
          : column === 'customFields'
            ? []
            : [...fixedColumns[column as FixedColumn]];
      const contactHeaders = new Set(columns.flatMap(headersOf).map((header) => header.toLowerCase()));
      const firstRows =
        customKeys.length === 0
          ? []
          : await sql<{ custom_fields: Record<string, string> }[]>`
              select c.custom_fields from contacts c where ${filter} order by ${order} limit ${SAMPLE_RECORDS}`;
      const customHeader = (key: string) => customFieldHeader(key, contactHeaders, firstRows.map((row) => row.custom_fields[key] ?? ''), business.defaultCountry);
      const headers = columns.flatMap((column) => (column === 'customFields' ? customKeys.map(customHeader) : headersOf(column)));

      const partial = `${output}.partial`;
      const writer = createCsvWriter(partial, headers);
      let rows = 0;
      try {
        const cursor = sql<ExportRow[]>`
          select c.id, c.first_name, c.middle_name, c.last_name, c.business_name, c.email, c.notes, c.status, c.custom_fields,
            to_char(c.created_at at time zone 'UTC', ${ISO_UTC}) as created_at, to_char(c.updated_at at time zone 'UTC', ${ISO_UTC}) as updated_at,
            coalesce((select json_agg(json_build_object('e164', p.e164, 'raw', p.raw, 'type', p.type, 'is_primary', p.is_primary)
                      order by p.is_primary desc, p.created_at, p.e164) from contact_phones p where p.contact_id = c.id), '[]') as phones,
            coalesce((select json_agg(t.name order by t.name) from contact_tags ct join tags t on t.id = ct.tag_id
                      where ct.contact_id = c.id), '[]') as tags,
            (select row_to_json(a) from contact_addresses a where a.contact_id = c.id and a.kind = 'contact') as contact_address,
            (select row_to_json(a) from contact_addresses a where a.contact_id = c.id and a.kind = 'billing') as billing_address
          from contacts c where ${filter}
          order by ${order}`.cursor(500);
        for await (const batch of cursor) {
          for (const row of batch) await writer.write(columns.flatMap((column) => cellsOf(column, row, phoneSlots, customKeys)));
          rows += batch.length;
          heartbeat({ rows });
        }
        await writer.close();
        await rename(partial, output);
      } catch (error) {
        await rm(partial, { force: true });
        throw asWriteFailure(error, 'output', input.output);
      }
      return { output, rows, columns: headers };
    },
  };
}
