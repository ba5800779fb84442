import type { Address, ImportedContact, PhoneType, RowProblem } from '../domain/import/rows';

/**
 * The rows of the bulk statements (`runContactWrites`, the import ledger's insert), each a JSON array of its columns in
 * the order of its type below, which is the order the statements unpack them in (`jsonb_array_elements`, then each
 * column by position). Arrays rather than objects: Postgres unpacks a batch of them in about a fifth less time than it
 * unpacks objects with `json_to_recordset` (which parses the text twice and builds a hash table of each object's keys),
 * and they carry no key names. Kept apart from the statements, without their dependencies, because the import's
 * row-building thread writes them too.
 */

export type ContactRow = [
  id: string,
  firstName: string,
  middleName: string | null,
  lastName: string,
  businessName: string | null,
  notes: string | null,
  email: string | null,
  emailNormalized: string | null,
  customFields: Record<string, string>,
];
/** The values an update of a stored contact sets, in the columns of a `ContactRow`; null keeps the stored value. */
export type ContactUpdateRow = [
  id: string,
  firstName: string | null,
  middleName: string | null,
  lastName: string | null,
  businessName: string | null,
  notes: string | null,
  email: string | null,
  emailNormalized: string | null,
  customFields: Record<string, string>,
];
export type PhoneRow = [contactId: string, raw: string, e164: string, type: PhoneType, isPrimary: boolean];
export type TagLinkRow = [contactId: string, name: string];
export type AddressRow = [
  contactId: string,
  kind: 'contact' | 'billing',
  line1: string | null,
  line2: string | null,
  city: string | null,
  region: string | null,
  postalCode: string | null,
  country: string | null,
];
export type LedgerRow = [
  line: number,
  outcome: 'created' | 'updated' | 'skipped' | 'failed',
  contactId: string | null,
  previous: unknown,
  problems: readonly RowProblem[] | null,
  cells: readonly string[] | null,
];

export function addressRow(contactId: string, kind: 'contact' | 'billing', address: Address | undefined): AddressRow[] {
  if (!address || Object.values(address).every((v) => !v)) return [];
  const { line1 = null, line2 = null, city = null, region = null, postalCode = null, country = null } = address;
  return [[contactId, kind, line1, line2, city, region, postalCode, country]];
}

/** A new contact's rows: itself, its phones, its tag links and its addresses. */
export function newContactRows(id: string, c: ImportedContact) {
  const contact: ContactRow = [
    id,
    c.firstName,
    c.middleName ?? null,
    c.lastName,
    c.businessName ?? null,
    c.notes ?? null,
    c.email?.address ?? null,
    c.email?.normalized ?? null,
    c.customFields,
  ];
  return {
    contact,
    phones: c.phones.map((p): PhoneRow => [id, p.raw, p.e164, p.type, p.primary]),
    tagLinks: c.tags.map((name): TagLinkRow => [id, name]),
    addresses: [...addressRow(id, 'contact', c.contactAddress), ...addressRow(id, 'billing', c.billingAddress)],
  };
}

export type NewContactRows = ReturnType<typeof newContactRows>;

/** The contact a new contact's rows were made of (`newContactRows`), given its tags: the rows do not hold their spelling order. */
export function contactOfNewContactRows(rows: Omit<NewContactRows, 'tagLinks'>, tags: string[]): ImportedContact {
  const [, firstName, middleName, lastName, businessName, notes, email, emailNormalized, customFields] = rows.contact;
  const addressOf = (kind: 'contact' | 'billing'): Address | undefined => {
    const row = rows.addresses.find((a) => a[1] === kind);
    if (!row) return undefined;
    const [, , line1, line2, city, region, postalCode, country] = row;
    const parts = { line1, line2, city, region, postalCode, country };
    return Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== null)) as Address;
  };
  const contactAddress = addressOf('contact');
  const billingAddress = addressOf('billing');
  return {
    firstName,
    ...(middleName !== null && { middleName }),
    lastName,
    ...(businessName !== null && { businessName }),
    ...(email !== null && emailNormalized !== null && { email: { address: email, normalized: emailNormalized } }),
    phones: rows.phones.map(([, raw, e164, type, primary]) => ({ raw, e164, type, primary })),
    tags,
    ...(notes !== null && { notes }),
    customFields,
    ...(contactAddress && { contactAddress }),
    ...(billingAddress && { billingAddress }),
  };
}

/** A line's entry in the import ledger. */
export function ledgerRow(entry: {
  line: number;
  outcome: LedgerRow[1];
  contactId: string | null;
  previous?: unknown;
  problems: readonly RowProblem[];
  cells?: readonly string[];
}): LedgerRow {
  return [entry.line, entry.outcome, entry.contactId, entry.previous ?? null, entry.problems.length > 0 ? entry.problems : null, entry.cells ?? null];
}
