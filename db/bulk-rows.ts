import { addressParts } from '../domain/import/fields';
import type { Address, ImportedContact, RowProblem } from '../domain/import/rows';

/**
 * The rows of the bulk statements (`runContactWrites`, the import ledger's insert) as their JSON unpacks them. Kept
 * apart from the statements, without their dependencies, because the import's row-building thread writes them too.
 */

export function addressRow(contactId: string, kind: 'contact' | 'billing', address: Address | undefined) {
  if (!address || Object.values(address).every((v) => !v)) return [];
  return [{ contact_id: contactId, kind, ...address, postal_code: address.postalCode }];
}

/** A new contact's rows: itself, its phones, its tag links and its addresses. */
export function newContactRows(id: string, c: ImportedContact) {
  return {
    contact: {
      id,
      first_name: c.firstName,
      middle_name: c.middleName ?? null,
      last_name: c.lastName,
      business_name: c.businessName ?? null,
      notes: c.notes ?? null,
      email: c.email?.address ?? null,
      email_normalized: c.email?.normalized ?? null,
      custom_fields: c.customFields,
    },
    phones: c.phones.map((p) => ({ contact_id: id, raw: p.raw, e164: p.e164, type: p.type, is_primary: p.primary })),
    tagLinks: c.tags.map((name) => ({ contact_id: id, name })),
    addresses: [...addressRow(id, 'contact', c.contactAddress), ...addressRow(id, 'billing', c.billingAddress)],
  };
}

export type NewContactRows = ReturnType<typeof newContactRows>;

/** The contact a new contact's rows were made of (`newContactRows`), given its tags: the rows do not hold their spelling order. */
export function contactOfNewContactRows(rows: Omit<NewContactRows, 'tagLinks'>, tags: string[]): ImportedContact {
  const c = rows.contact;
  const addressOf = (kind: 'contact' | 'billing'): Address | undefined => {
    const row = rows.addresses.find((a) => a.kind === kind) as Record<string, unknown> | undefined;
    if (!row) return undefined;
    const address: Address = {};
    for (const part of addressParts) {
      const value = row[part];
      if (typeof value === 'string') address[part] = value;
    }
    return address;
  };
  const contactAddress = addressOf('contact');
  const billingAddress = addressOf('billing');
  return {
    firstName: c.first_name,
    ...(c.middle_name !== null && { middleName: c.middle_name }),
    lastName: c.last_name,
    ...(c.business_name !== null && { businessName: c.business_name }),
    ...(c.email !== null && c.email_normalized !== null && { email: { address: c.email, normalized: c.email_normalized } }),
    phones: rows.phones.map((p) => ({ raw: p.raw, e164: p.e164, type: p.type, primary: p.is_primary })),
    tags,
    ...(c.notes !== null && { notes: c.notes }),
    customFields: c.custom_fields,
    ...(contactAddress && { contactAddress }),
    ...(billingAddress && { billingAddress }),
  };
}

/** A line's entry in the import ledger. */
export function ledgerEntry(entry: {
  line: number;
  outcome: 'created' | 'updated' | 'skipped' | 'failed';
  contactId: string | null;
  previous?: unknown;
  problems: readonly RowProblem[];
  cells?: readonly string[];
}) {
  return {
    line: entry.line,
    outcome: entry.outcome,
    contact_id: entry.contactId,
    previous: entry.previous ?? null,
    problems: entry.problems.length > 0 ? entry.problems : null,
    cells: entry.cells ?? null,
  };
}
