/** The contact fields a CSV column can feed, as an operator writes them in an explicit mapping. */

export const addressKinds = ['contactAddress', 'billingAddress'] as const;
export type AddressKind = (typeof addressKinds)[number];

export const addressParts = ['line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const;
export type AddressPart = (typeof addressParts)[number];

export const phoneFields = ['phone', 'mobilePhone', 'homePhone', 'workPhone', 'fax'] as const;
export type PhoneField = (typeof phoneFields)[number];

const personFields = [
  'firstName',
  'middleName',
  'lastName',
  // Split into first, middle and last name when the file has no first and last name columns.
  'fullName',
  'businessName',
  'email',
  ...phoneFields,
  'tags',
  'notes',
] as const;

export type AddressField = `${AddressKind}.${AddressPart}`;
/** `switchboardId`: the id of a contact of the business, as an export writes it; the row updates that contact. */
export type ImportField = (typeof personFields)[number] | AddressField | 'switchboardId';
export type CustomField = `custom:${string}`;
export type MappingTarget = ImportField | CustomField | 'ignore';

export const importFields: readonly ImportField[] = [
  ...personFields,
  ...addressKinds.flatMap((kind) => addressParts.map((part) => `${kind}.${part}` as const)),
  'switchboardId',
];

/**
 * The headers an export writes for Switchboard's own record of a contact. The import reads the id, to update the
 * contact it names, and leaves the others out: the business the contacts go into keeps that record, and as custom
 * fields they would change every contact imported back.
 */
export const recordHeaders = {
  id: 'Switchboard ID',
  status: 'Switchboard Status',
  createdAt: 'Switchboard Created At',
  updatedAt: 'Switchboard Updated At',
} as const;

/**
 * The columns an export writes for each of a contact's fields, by the export's column name. An import of a file with
 * the export's id column reads these headers as the fields they were written from, whatever their values look like.
 */
export const exportFixedColumns = {
  id: [recordHeaders.id],
  firstName: ['First Name'],
  middleName: ['Middle Name'],
  lastName: ['Last Name'],
  businessName: ['Company'],
  email: ['Email'],
  tags: ['Tags'],
  notes: ['Notes'],
  contactAddress: ['Street', 'Address Line 2', 'City', 'State', 'Postcode', 'Country'],
  billingAddress: ['Billing Street', 'Billing Address Line 2', 'Billing City', 'Billing State', 'Billing Postal Code', 'Billing Country'],
  status: [recordHeaders.status],
  createdAt: [recordHeaders.createdAt],
  updatedAt: [recordHeaders.updatedAt],
} as const;

/** The columns an export may be asked for, by name: each fixed one, and the phones and custom fields, as many as there are. */
export const exportColumnNames = [...Object.keys(exportFixedColumns), 'phones', 'customFields'] as const;

/** The columns an import's error report adds after the file's own: each refused row's line, and why it was refused. */
export const errorReportHeaders = { line: 'Line', error: 'Error' } as const;

// Every other field holds one value per contact, so only one column may feed it. An address's line 2 holds every line
// after its first (Xero's lines 2 to 4, as its sync reads them), joined.
const multiValuedFields: ReadonlySet<MappingTarget> = new Set<MappingTarget>([...phoneFields, 'tags', 'contactAddress.line2', 'billingAddress.line2']);

const CUSTOM_PREFIX = 'custom:';

export function isSingleValued(target: MappingTarget): target is ImportField {
  return isImportField(target) && !multiValuedFields.has(target);
}

function isImportField(target: string): target is ImportField {
  return (importFields as readonly string[]).includes(target);
}

const phoneFieldSet: ReadonlySet<string> = new Set(phoneFields);

export function isPhoneField(target: MappingTarget): target is PhoneField {
  return phoneFieldSet.has(target);
}

export function customField(name: string): CustomField {
  return `${CUSTOM_PREFIX}${name}`;
}

export function customFieldName(target: MappingTarget): string | undefined {
  return target.startsWith(CUSTOM_PREFIX) ? target.slice(CUSTOM_PREFIX.length) : undefined;
}

/** Reads a field name as an operator typed it: field names in any letter case, `ignore`, or `custom:<name>`. */
export function parseMappingTarget(text: string): MappingTarget | undefined {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'ignore') return 'ignore';
  if (trimmed.toLowerCase().startsWith(CUSTOM_PREFIX)) {
    const name = trimmed.slice(CUSTOM_PREFIX.length).trim();
    return name === '' ? undefined : customField(name);
  }
  return importFields.find((field) => field.toLowerCase() === trimmed.toLowerCase());
}

export function describeMappingTargets(): string {
  return `${importFields.join(', ')}, custom:<name> or ignore`;
}
