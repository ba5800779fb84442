import { normalizeEmail } from '../email';
import { normalizePhone } from '../phone';
import { isPlaceholder, stripExportArtifacts } from '../text';
import {
  customField,
  customFieldName,
  describeMappingTargets,
  errorReportHeaders,
  exportFixedColumns,
  type ImportField,
  isPhoneField,
  isSingleValued,
  type MappingTarget,
  parseMappingTarget,
  phoneFields,
  recordHeaders,
} from './fields';
import { splitEmails } from './cell-values';
import { numbersWrittenInCell } from './phone-cell';

export type ColumnMapping = {
  column: number;
  header: string;
  field: MappingTarget;
  reason: string;
  /**
   * For Google's "Phone N - Value": the "Phone N - Label" column whose value ("Mobile", "Work") types the number. For
   * its "E-mail N - Value": the "E-mail N - Label" column, whose "* " marks the contact's primary email.
   */
  labelColumn?: number;
  /**
   * `email`: a second email column ("E-mail 2 Address"), kept as a custom field, but the contact's email in a row whose
   * email column is empty or unusable: a contact has one email, and people often have only their second one.
   * `fullName`: a name column beside first and last name columns (Xero's "*ContactName", a customer list's "Name"),
   * read as the person's name in a row whose first and last names are empty, unless it names an organisation.
   */
  spareFor?: 'email' | 'fullName';
  /** For a number Xero's API dumps write in parts ("PhoneNumber"): the columns of its country and area codes. */
  countryCodeColumn?: number;
  areaCodeColumn?: number;
  /**
   * What an export writes in this column of every contact that has no value (Outlook's `0/0/00` birthday, `Normal`
   * priority): read as an empty cell, which makes no custom field.
   */
  noValue?: string;
  /** Line or Error of an error report being imported again: left out of this import's own report, which has its own. */
  reportColumn?: true;
};

export type MappingOutcome = { ok: true; mapping: ColumnMapping[] } | { ok: false; errors: string[] };

type AliasRow = { fields: readonly ImportField[]; headers: readonly string[] };

/**
 * Headers of the exports businesses bring (Xero, QuickBooks Online, Google Contacts, Outlook, practice systems and
 * hand-made sheets) and the fields they feed. Headers are compared normalised ("E-mail Address", "email_address" and
 * "EmailAddress" are one alias); "#" stands for any number, as in Google's "E-mail 1 - Value". A row with several
 * fields lists them by preference. A row with none names a known column that holds no contact field, so that it is
 * not taken for the contact field it is spelt like.
 */
const ALIASES: readonly AliasRow[] = [
  {
    fields: ['firstName'],
    headers: ['first name', 'first', 'given name', 'given names', 'forename', 'forenames', 'fname', 'christian name', 'prénom', 'vorname', 'nombre'],
  },
  { fields: ['middleName'], headers: ['middle name', 'middle names', 'middle', 'additional name', 'middle initial', 'weitere vornamen', 'deuxième prénom', 'segundo nombre'] },
  {
    fields: ['lastName'],
    headers: ['last name', 'last', 'surname', 'family name', 'lname', 'nom', 'nom de famille', 'nachname', 'apellido', 'apellidos'],
  },
  // Xero's contact name is the person, or the organisation when the person has its own FirstName and LastName. So is
  // a customer's display name (QuickBooks' "Customer"), beside the person's "Full Name".
  { fields: ['fullName', 'businessName'], headers: ['contact name', 'customer', 'customer name', 'display name'] },
  { fields: ['switchboardId'], headers: [recordHeaders.id.toLowerCase()] },
  // A clinic's own sheet names its people by who they are to it: "Patient", "Client".
  { fields: ['fullName'], headers: ['name', 'full name', 'client', 'client name', 'patient', 'patient name'] },
  {
    fields: ['businessName'],
    headers: ['company', 'company name', 'business', 'business name', 'organisation', 'organization', 'organisation name', 'organization name', 'practice name', 'employer', 'default address company', 'firma', 'unternehmen', 'société', 'entreprise', 'empresa', 'compañía', 'organización'],
  },
  {
    fields: ['email'],
    headers: ['email', 'email address', 'e-mail # - value', 'mail', 'email id', 'courriel', 'adresse de messagerie', 'adresse e-mail', 'dirección de correo electrónico', 'correo electrónico'],
  },
  {
    fields: ['phone'],
    headers: ['phone', 'phone number', 'phone # - value', 'telephone', 'telephone number', 'tel', 'primary phone', 'main phone', 'other phone', 'contact number', 'contact no', 'best contact number', 'best number', 'best phone', 'preferred phone', 'preferred number', 'preferred contact number', 'landline', 'callback', 'car phone', 'radio phone', 'tty/tdd phone', 'telefon', 'telefonnummer', 'teléfono', 'número de teléfono', 'numéro de téléphone', 'default address phone'],
  },
  // Outlook writes its headers in the language of its user: the German, French and Spanish ones are here too, with
  // the words of sheets made in those languages.
  {
    fields: ['mobilePhone'],
    headers: ['mobile', 'mobile phone', 'mobile number', 'cell', 'cell phone', 'cell number', 'mobile/cell', 'cell/mobile', 'sms', 'sms number', 'portable', 'handy', 'handynummer', 'mobiltelefon', 'mobilnummer', 'téléphone portable', 'tél. portable', 'numéro de portable', 'tél. mobile', 'téléphone mobile', 'teléfono móvil', 'móvil'],
  },
  // A bare "Home" or "Work" is a phone only when its values are phone numbers (else it is kept as a custom field).
  { fields: ['homePhone'], headers: ['home', 'home phone', 'home number', 'home telephone', 'home tel', 'telefon privat', 'tél. domicile', 'téléphone domicile', 'teléfono particular'] },
  {
    fields: ['workPhone'],
    headers: ['work', 'office', 'work phone', 'work number', 'business phone', 'office phone', 'company main phone', 'ddi number', 'ddi', 'direct dial', 'telefon geschäftlich', 'tél. bureau', 'téléphone bureau', 'teléfono del trabajo'],
  },
  { fields: ['fax'], headers: ['fax', 'fax number', 'business fax', 'home fax', 'other fax', 'facsimile', 'fax geschäftlich', 'fax privat', 'télécopie bureau', 'télécopie domicile'] },
  { fields: ['tags'], headers: ['tags', 'tag', 'labels', 'group membership', 'groups', 'group', 'categories', 'category', 'kategorien', 'catégories', 'categorías'] },
  { fields: ['notes'], headers: ['notes', 'note', 'comments', 'comment', 'memo', 'notizen', 'notas'] },
  // Xero's address lines 3 and 4 and Outlook's third street lines have no part of their own: they are read into line 2, after it.
  // The street address is where the contact is (Xero's SA…, QuickBooks' shipping address, Outlook's home address);
  // the billing address is where invoices go (Xero's PO…, QuickBooks' billing address, Outlook's business address).
  {
    fields: ['contactAddress.line1'],
    headers: ['address', 'street', 'street address', 'address line 1', 'address 1', 'street 1', 'home address', 'home street', 'shipping address', 'shipping street', 'physical address', 'residential address', 'sa address line 1', 'address # - street', 'default address address1', 'straße', 'strasse', 'adresse', 'anschrift', 'straße privat', 'rue', 'rue (domicile)', 'dirección', 'calle', 'calle del domicilio'],
  },
  {
    fields: ['contactAddress.line2'],
    headers: ['address line 2', 'address 2', 'street 2', 'home street 2', 'home street 3', 'shipping address line 2', 'sa address line 2', 'sa address line 3', 'sa address line 4', 'address # - extended address', 'street address 2', 'default address address2', 'straße privat 2', 'rue (domicile) 2', 'calle del domicilio 2'],
  },
  { fields: ['contactAddress.city'], headers: ['city', 'town', 'suburb', 'city/town', 'home city', 'shipping city', 'sa city', 'address # - city', 'default address city', 'ort', 'stadt', 'ort privat', 'ville', 'ville (domicile)', 'ciudad', 'ciudad de residencia'] },
  {
    fields: ['contactAddress.region'],
    headers: ['state', 'region', 'province', 'county', 'state/province', 'home state', 'shipping state', 'sa region', 'address # - region', 'state code', 'province code', 'default address province code', 'bundesland', 'bundesland/kanton privat', 'dép/région (domicile)', 'provincia', 'provincia o estado de residencia'],
  },
  {
    fields: ['contactAddress.postalCode'],
    headers: ['postcode', 'postal code', 'zip', 'zip code', 'zip/postal code', 'home postal code', 'shipping zip', 'shipping postal code', 'sa postal code', 'address # - postal code', 'default address zip', 'plz', 'postleitzahl', 'postleitzahl privat', 'code postal', 'code postal (domicile)', 'código postal', 'código postal de residencia'],
  },
  {
    fields: ['contactAddress.country'],
    headers: ['country', 'home country', 'home country/region', 'shipping country', 'sa country', 'address # - country', 'country code', 'default address country code', 'land', 'land/region privat', 'pays', 'pays/région (domicile)', 'país', 'país o región de residencia'],
  },
  {
    fields: ['billingAddress.line1'],
    headers: ['billing address', 'billing street', 'billing address line 1', 'postal address', 'mailing address', 'business street', 'po address line 1', 'straße geschäftlich', 'rue (bureau)', 'calle del trabajo'],
  },
  { fields: ['billingAddress.line2'], headers: ['billing address line 2', 'business street 2', 'business street 3', 'po address line 2', 'po address line 3', 'po address line 4', 'straße geschäftlich 2', 'rue (bureau) 2', 'calle del trabajo 2'] },
  { fields: ['billingAddress.city'], headers: ['billing city', 'mailing city', 'business city', 'po city', 'ort geschäftlich', 'ville (bureau)', 'ciudad de trabajo'] },
  { fields: ['billingAddress.region'], headers: ['billing state', 'billing region', 'mailing state', 'business state', 'po region', 'region geschäftlich', 'bundesland/kanton geschäftlich', 'dép/région (bureau)', 'provincia o estado de trabajo'] },
  {
    fields: ['billingAddress.postalCode'],
    headers: ['billing zip', 'billing postal code', 'billing postcode', 'mailing zip', 'business postal code', 'po postal code', 'postleitzahl geschäftlich', 'code postal (bureau)', 'código postal del trabajo'],
  },
  { fields: ['billingAddress.country'], headers: ['billing country', 'mailing country', 'business country', 'business country/region', 'po country', 'land/region geschäftlich', 'pays/région (bureau)', 'país o región del trabajo'] },
  // A tax number one letter away from "Fax Number".
  { fields: [], headers: ['tax number'] },
];

// Words that qualify a header without changing its field: "Client Email", "Primary Phone", "Patient First Name".
const QUALIFYING_WORDS = new Set(['primary', 'main', 'client', 'customer', 'patient', 'contact', 'personal']);
const NUMBER_WORDS = new Set(['no', 'nr', 'num', 'number']);
// Words that make a phone or email another one of the contact's: "Alt Phone", "Secondary Email".
const ANOTHER_WORDS = new Set(['alt', 'alternate', 'alternative', 'secondary', 'second', 'other', 'additional', 'extra', 'backup']);
// Short forms of sheets made by hand: "Ph", "Mobile Ph", "Bus. Phone", "Email Addr".
const SHORT_WORDS: ReadonlyMap<string, string> = new Map([
  ['ph', 'phone'],
  ['phn', 'phone'],
  ['tel', 'phone'],
  ['mob', 'mobile'],
  ['addr', 'address'],
  ['bus', 'business'],
]);
const IDENTIFIER_WORDS = new Set([...NUMBER_WORDS, 'id', '#', 'ref', 'reference', 'code', 'key']);

/**
 * Words that make a column someone else's: "Guardian Email", "Emergency Contact Phone", "Referring Doctor Email". Read
 * as the contact's, such an email or phone would merge the children of one parent, or the patients of one referrer,
 * into one contact. In a file whose every name column has such a word (a referrers' list: "Doctor First Name",
 * "Doctor Email") the word says who the contacts are, and is passed over like "Patient" in "Patient Email".
 */
const SOMEONE_ELSE_WORDS = new Set([
  'emergency', 'kin', 'nok', 'guardian', 'parent', 'mother', 'father', 'mum', 'mom', 'dad', 'spouse', 'partner', 'husband',
  'wife', 'child', 'children', 'sibling', 'relative', 'carer', 'caregiver', 'referrer', 'referring', 'referral', 'gp',
  'doctor', 'physician', 'practitioner', 'clinician', 'therapist', 'assistant', 'manager', 'owner', 'agent', 'accountant',
]);

const NAME_FIELDS: ReadonlySet<MappingTarget> = new Set<MappingTarget>(['firstName', 'middleName', 'lastName', 'fullName', 'businessName']);

type ValueLook = 'email addresses' | 'phone numbers' | 'text' | 'mixed' | 'nothing';
type HeaderKind = 'unknown' | 'name' | 'email' | 'phone' | 'other';

/** When a column's values overrule its header: which field they make it, over which kinds of header. */
const READ_BY_VALUES: Partial<Record<ValueLook, { field: ImportField; overrules: readonly HeaderKind[] }>> = {
  // Email addresses are unmistakable, so they place even a column with an unknown header. Phone numbers are not:
  // account, tax and bank numbers look like them.
  'email addresses': { field: 'email', overrules: ['unknown', 'name', 'phone'] },
  'phone numbers': { field: 'phone', overrules: ['name', 'email'] },
};
const EXPECTED_VALUES: Partial<Record<HeaderKind, ValueLook>> = { email: 'email addresses', phone: 'phone numbers' };

const GOOGLE_PHONE_VALUE = /^phone(\d+)value$/;
const GOOGLE_PHONE_LABEL = /^phone(\d+)(?:label|type)$/;

const ALIAS_STRENGTH = 3;
const FUZZY_STRENGTH = 2;
const VALUES_STRENGTH = 1;

type Alias = { phrase: string; key: string; fields: readonly ImportField[] };
type HeaderMatch = { fields: readonly ImportField[]; how: 'alias' | 'fuzzy'; phrase: string };

type Column = { column: number; header: string };
/** Fields in order of preference, with how strongly the column reads as them. */
type FieldProposal = Column & { fields: readonly ImportField[]; strength: number; explain: (field: ImportField) => string };
type KeptProposal = Column & { keep: 'custom' | 'ignore'; reason: string; customName?: string };
type Proposal = FieldProposal | KeptProposal;

const aliases: readonly Alias[] = ALIASES.flatMap(({ fields, headers }) =>
  headers.map((phrase) => ({ phrase, key: aliasKey(phrase), fields })),
);
// Reversed so that, of two phrases with the same key, the first one written names the match.
const aliasesByKey = new Map(aliases.map((alias) => [alias.key, alias] as const).reverse());
const aliasesByWords = new Map(aliases.map((alias) => [wordsKey(headerWords(alias.phrase)), alias] as const).reverse());

/**
 * One mapping per header, in order, read from the header and checked against the column's sample values.
 * `defaultCountry`: the business's, for which a column of no known header whose values are phone numbers is a phone.
 */
export function autoMapColumns(
  headers: readonly string[],
  sample: readonly (readonly string[])[],
  options: { defaultCountry?: string } = {},
): ColumnMapping[] {
  const reads = headers.map(readHeader);
  const contactsAre = whoseColumns(reads);
  const ownExport = headers.includes(recordHeaders.id);
  const errorReport = endsAsErrorReport(headers);
  const proposals = headers.map((header, column) =>
    propose(
      column,
      header,
      sample.map((record) => stripExportArtifacts(record[column] ?? '')),
      reads[column] as HeaderRead,
      contactsAre,
      options.defaultCountry,
      ownExport && EXPORT_HEADERS.has(header),
      errorReport,
    ),
  );
  return withNoValues(withoutErrorReportColumns(pairEmailLabels(pairPhoneParts(pairPhoneLabels(assignFields(proposals), new Set()), new Set())), headers, sample));
}

// Outlook's contact export fills these columns of every contact that has none with a value of its own: kept as custom
// fields, they would be on every contact. By header, normalised: in another column ("Status") the word is a value.
const OUTLOOK_NO_VALUES: ReadonlyMap<string, string> = new Map([
  ['birthday', '0/0/00'],
  ['anniversary', '0/0/00'],
  ['gender', 'Unspecified'],
  ['priority', 'Normal'],
  ['sensitivity', 'Normal'],
  ['private', 'False'],
]);

// Headers only Outlook's export writes, by which a file is known for one: in a sheet of its own a business's "Priority"
// of "Normal" is a value, and so it is in Switchboard's own export.
const OUTLOOK_HEADERS: ReadonlySet<string> = new Set(
  [
    'Given Yomi', 'Surname Yomi', 'Company Yomi', 'Home Phone 2', 'Business Phone 2', 'Car Phone', 'Radio Phone', 'Telex',
    'TTY/TDD Phone', 'ISDN', 'IMAddress', 'Company Main Phone', "Manager's Name", "Assistant's Name", "Assistant's Phone",
    'Business Country/Region', 'Home Country/Region', 'Other Country/Region', 'Mileage', 'Billing Information', 'Sensitivity',
    'E-mail Display Name', 'E-mail Type', 'Internet Free Busy', 'Directory Server',
  ].map(normalizeHeader),
);
const OUTLOOK_HEADERS_TO_KNOW_IT = 3;

/**
 * In a file of Outlook's, the custom field columns whose header is one that Outlook fills so: what it writes there for
 * none (`noValue`).
 */
function withNoValues(mapping: ColumnMapping[]): ColumnMapping[] {
  const outlookHeaders = mapping.filter((m) => OUTLOOK_HEADERS.has(normalizeHeader(m.header))).length;
  if (outlookHeaders < OUTLOOK_HEADERS_TO_KNOW_IT) return mapping;
  return mapping.map((m) => {
    const noValue = customFieldName(m.field) === undefined ? undefined : OUTLOOK_NO_VALUES.get(normalizeHeader(m.header));
    if (noValue === undefined) return m;
    // An automatic mapping, applied again with the operator's, says so once.
    const said = `, and '${noValue}', Outlook's value for none, read as empty`;
    return { ...m, reason: m.reason.endsWith(said) ? m.reason : `${m.reason}${said}`, noValue };
  });
}

/** Whether a file's headers end with an error report's Line and Error columns. */
export function endsAsErrorReport(headers: readonly string[]): boolean {
  // A file with Line and Error columns of its own has its report's named "Line (2)" and "Error (2)" when read back.
  const named = (header: string | undefined, name: string) => header === name || (header?.startsWith(`${name} (`) === true && /^ \(\d+\)$/.test(header.slice(name.length)));
  return named(headers.at(-2), errorReportHeaders.line) && named(headers.at(-1), errorReportHeaders.error);
}

/**
 * An error report, its rows corrected and imported again, ends with each row's line and why it was refused: what the
 * report said of the row, not values of the contact, which would otherwise become its custom fields.
 */
function withoutErrorReportColumns(mapping: ColumnMapping[], headers: readonly string[], sample: readonly (readonly string[])[]): ColumnMapping[] {
  const line = headers.length - 2;
  if (line < 1 || !endsAsErrorReport(headers)) return mapping;
  if (!sample.every((record) => /^\d*$/.test((record[line] ?? '').trim()))) return mapping;
  const reasons = ["a row's line in the file its error report was written from: not imported", 'why the error report says the row was refused: not imported'];
  return mapping.map((m) => (m.column < line ? m : { column: m.column, header: m.header, field: 'ignore', reason: reasons[m.column - line] as string, reportColumn: true }));
}

/** What a mapping lacks to give contacts (a name; an email or a phone), or undefined when it lacks nothing. */
export function missingFromMapping(mapping: readonly ColumnMapping[]): string | undefined {
  const fields = new Set<MappingTarget>(mapping.map((m) => m.field));
  // Rows naming stored contacts by id (an export of some columns, edited) update them with what they have.
  if (fields.has('switchboardId')) return undefined;
  if (!(fields.has('fullName') || (fields.has('firstName') && fields.has('lastName')))) {
    return "no column holds the contact's name (firstName and lastName, or fullName)";
  }
  if (!phoneFields.some((field) => fields.has(field)) && !fields.has('email')) return 'no column holds an email or a phone number';
  return undefined;
}

/**
 * Applies an operator's `{ "<header>": "<field>" }` on top of the automatic mapping. Headers match exactly, else
 * ignoring letter case. A column that loses its single-valued field to an explicit choice is kept as a custom field.
 */
export function applyMapping(auto: readonly ColumnMapping[], explicit: Readonly<Record<string, string>>): MappingOutcome {
  const errors: string[] = [];
  const chosen = new Map<number, MappingTarget>();
  for (const [header, fieldName] of Object.entries(explicit)) {
    const column = findColumn(auto, header);
    const target = parseMappingTarget(fieldName);
    if (column === 'ambiguous') {
      const alike = auto.filter((m) => m.header.toLowerCase() === header.trim().toLowerCase()).map((m) => `"${m.header}"`);
      errors.push(`"${header}" names no column as written, and ${alike.join(' and ')} but for letter case: write the one meant as the file has it`);
      continue;
    }
    if (column === undefined) {
      errors.push(`"${header}" is not a column of the file; its columns are ${auto.map((m) => `"${m.header}"`).join(', ')}`);
    }
    if (target === undefined) {
      errors.push(`"${fieldName}" (given for "${header}") is not a field; use one of ${describeMappingTargets()}`);
    }
    if (column !== undefined && target !== undefined) chosen.set(column.column, target);
  }
  errors.push(...singleValuedClashes(auto, chosen));
  if (errors.length > 0) return { ok: false, errors };

  const chosenBy = new Map([...chosen].map(([column, target]) => [target, auto[column]?.header ?? '']));
  const autoEmail = auto.find((m) => m.field === 'email');
  const emailHolder = chosenBy.get('email') ?? (autoEmail && !chosen.has(autoEmail.column) ? autoEmail.header : undefined);
  const mapping = auto.map((m): ColumnMapping => {
    const target = chosen.get(m.column);
    if (target !== undefined) {
      // An error report's own columns, left out by a template saved from it too, stay left out of its report.
      const given: ColumnMapping = { column: m.column, header: m.header, field: target, reason: 'set by the mapping you gave', ...(m.reportColumn && target === 'ignore' && { reportColumn: true }) };
      // A template saved from a file gives such a column the field it had: still the spare.
      if (m.spareFor === 'fullName' && target === m.field) return asSpareName(given);
      return m.spareFor === 'email' && target === m.field && emailHolder !== undefined ? asSpareEmail(given, emailHolder) : given;
    }
    const holder = isSingleValued(m.field) ? chosenBy.get(m.field) : undefined;
    if (holder === undefined) return m.spareFor === 'email' && emailHolder === undefined ? withoutSpare(m, autoEmail?.header ?? '') : m;
    return { ...asCustom(m), reason: `${m.field} is set on "${holder}" by the mapping you gave: kept as custom field` };
  });
  const explicitColumns = new Set(chosen.keys());
  return { ok: true, mapping: withNoValues(pairEmailLabels(pairPhoneParts(pairPhoneLabels(mapping, explicitColumns), explicitColumns))) };
}

function normalizeHeader(header: string): string {
  return withoutDiacritics(header)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

// The columns Switchboard's export writes a contact's fields in: in a file of its export, read by their headers alone.
const EXPORT_HEADERS: ReadonlySet<string> = new Set(Object.values(exportFixedColumns).flat());

const RECORD_HEADER_KEYS: ReadonlySet<string> = new Set([recordHeaders.status, recordHeaders.createdAt, recordHeaders.updatedAt].map(normalizeHeader));

function propose(
  column: number,
  header: string,
  values: readonly string[],
  read: HeaderRead,
  contactsAre: ReadonlySet<string>,
  defaultCountry: string | undefined,
  /** A column of Switchboard's own export: its values are the field's, however they look ("billing@acme.example" a company). */
  writtenByExport = false,
  /** A file of an error report's rows: refused for their values, which say nothing of what their columns are. */
  errorReport = false,
): Proposal {
  const base = { column, header };
  if (header.trim() === '' && values.every((value) => value === '')) return { ...base, keep: 'ignore', reason: 'no header and no values' };
  // An export names a custom field so when its name alone would be read as a contact field ("custom:Street").
  const named = parseMappingTarget(header);
  const customName = named === undefined ? undefined : customFieldName(named);
  if (customName !== undefined) return { ...base, keep: 'custom', reason: 'named as a custom field', customName };
  if (RECORD_HEADER_KEYS.has(normalizeHeader(header))) {
    return { ...base, keep: 'ignore', reason: "Switchboard's own record of the contact, written by an export: not imported" };
  }
  const { someoneElse, match } = read;
  if (someoneElse !== undefined && !contactsAre.has(someoneElse)) {
    return keep(base, `someone else's ("${someoneElse}"), not the contact's: kept as custom field`);
  }
  const headerKind = kindOfHeader(match);
  const looksLike = describeValues(values);
  const byValues = READ_BY_VALUES[looksLike];
  // A name column of ids ("Customer": 298700001) is no column of phone numbers.
  if (!writtenByExport && byValues?.overrules.includes(headerKind) && (looksLike !== 'phone numbers' || mostlyWrittenAsNumbers(values))) {
    return { ...base, fields: [byValues.field], strength: VALUES_STRENGTH, explain: () => `values look like ${looksLike}` };
  }
  if (match === undefined) {
    const phones = defaultCountry === undefined ? undefined : validPhoneNumbers(header, values, defaultCountry);
    if (phones !== undefined) return { ...base, fields: ['phone'], strength: VALUES_STRENGTH, explain: () => phones };
    return keep(base, 'no known field: kept as custom field');
  }
  const [field] = match.fields;
  if (field === undefined) return keep(base, 'known column with no contact field: kept as custom field');
  const byHeader = fromHeader(base, match);
  const expected = EXPECTED_VALUES[headerKind];
  // In an error report, numbers too short to be any ("12345") are a phone column's mistakes, each refused with its row
  // again; elsewhere such a column ("Phone": 204, 317) is more likely extensions, kept as a custom field.
  if (!writtenByExport && looksLike === 'text' && expected !== undefined && !(errorReport && headerKind === 'phone' && mostlyDigits(values))) {
    return keep(base, `${byHeader.explain(field)}, but the values do not look like ${expected}: kept as custom field`);
  }
  return byHeader;
}

function fromHeader(base: Column, match: HeaderMatch): FieldProposal {
  const alias = match.how === 'alias';
  return {
    ...base,
    fields: match.fields,
    strength: alias ? ALIAS_STRENGTH : FUZZY_STRENGTH,
    explain: alias ? (field) => `alias of ${field} ("${base.header}")` : () => `close to "${match.phrase}" (fuzzy)`,
  };
}

function keep(base: Column, reason: string): KeptProposal {
  return { ...base, keep: 'custom', reason };
}

/**
 * The word of SOMEONE_ELSE_WORDS that names the file's contacts rather than someone else, when no name column is
 * without one: that of its first and last name columns ("Child First Name" beside "Parent Name": the children), else
 * of its first full name column. Empty in most files.
 */
function whoseColumns(reads: readonly HeaderRead[]): ReadonlySet<string> {
  const names = reads.map(({ someoneElse: word, match }) => {
    const fields = match?.fields ?? [];
    return { word, firstOrLast: fields.includes('firstName') || fields.includes('lastName'), full: fields.includes('fullName') };
  });
  const named = names.filter((n) => n.firstOrLast || n.full);
  if (named.length === 0 || named.some((n) => n.word === undefined)) return new Set();
  const word = (named.find((n) => n.firstOrLast) ?? named[0])?.word;
  return new Set(word === undefined ? [] : [word]);
}

/** A header's word naming someone else, if any, and the field it names without that word. */
type HeaderRead = { someoneElse: string | undefined; match: HeaderMatch | undefined };

function readHeader(header: string): HeaderRead {
  const someoneElse = someoneElseWord(header);
  return { someoneElse, match: matchHeader(someoneElse === undefined ? header : withoutSomeoneElseWords(header)) };
}

function someoneElseWord(header: string): string | undefined {
  return headerWords(header).find((word) => SOMEONE_ELSE_WORDS.has(word));
}

/** "Doctor's First Name" → "First Name". */
function withoutSomeoneElseWords(header: string): string {
  return headerWords(header.replace(/['’]s\b/gi, ''))
    .filter((word) => !SOMEONE_ELSE_WORDS.has(word))
    .join(' ');
}

function kindOfHeader(match: HeaderMatch | undefined): HeaderKind {
  const field = match?.fields[0];
  if (match === undefined) return 'unknown';
  if (field === undefined) return 'other';
  if (NAME_FIELDS.has(field)) return 'name';
  if (field === 'email') return 'email';
  return isPhoneField(field) ? 'phone' : 'other';
}

/**
 * Stronger readings claim single-valued fields first (an "Email" header before a "Name" column full of addresses),
 * then earlier columns ("E-mail 1" before "E-mail 2"). Full names come last: they are used only when the file has
 * no first and last name columns; and a person's ("Full Name") before a name that may be an organisation's
 * (QuickBooks' "Customer"), which is then the business name.
 */
function assignFields(proposals: readonly Proposal[]): ColumnMapping[] {
  const fullNameRank = (proposal: Proposal) => {
    if (!('fields' in proposal) || !proposal.fields.includes('fullName')) return 0;
    return proposal.fields.includes('businessName') ? 2 : 1;
  };
  const strength = (proposal: Proposal) => ('strength' in proposal ? proposal.strength : 0);
  const ordered = [...proposals].sort(
    (a, b) => fullNameRank(a) - fullNameRank(b) || strength(b) - strength(a) || a.column - b.column,
  );
  const holders = new Map<ImportField, string>();
  return ordered.map((proposal) => place(proposal, holders)).sort((a, b) => a.column - b.column);
}

function place(proposal: Proposal, holders: Map<ImportField, string>): ColumnMapping {
  const { column, header } = proposal;
  if ('keep' in proposal) {
    const field = proposal.keep === 'ignore' ? 'ignore' : proposal.customName !== undefined ? customField(proposal.customName) : customFieldFor(column, header);
    return { column, header, field, reason: proposal.reason };
  }
  let refused = '';
  let why = '';
  // The name column whose empty cell makes this one the person's name, when it is a spare one.
  let spareForEmpty: string | undefined;
  for (const field of proposal.fields) {
    const taken = whyTaken(field, holders);
    if (taken !== undefined) {
      [refused, why] = [proposal.explain(field), taken];
      // A display name beside the person's full name ("Customer" beside "Full Name") is the name where that is empty.
      const fullNameHolder = proposal.fields.includes('businessName') ? holders.get('fullName') : undefined;
      if (field === 'fullName' && taken === FIRST_AND_LAST_TAKEN) spareForEmpty = FIRST_AND_LAST;
      else if (field === 'fullName' && fullNameHolder !== undefined) spareForEmpty = `"${fullNameHolder}"`;
      continue;
    }
    if (isSingleValued(field)) holders.set(field, header);
    const placed = { column, header, field, reason: why === '' ? proposal.explain(field) : `${proposal.explain(field)}, as ${why}` };
    return spareForEmpty === undefined ? placed : asSpareName(placed, spareForEmpty);
  }
  const custom = { column, header, field: customFieldFor(column, header), reason: `${refused}, but ${why}: kept as custom field` };
  if (spareForEmpty !== undefined) return asSpareName(custom, spareForEmpty);
  const emailHolder = proposal.fields.includes('email') ? holders.get('email') : undefined;
  return emailHolder === undefined ? custom : asSpareEmail(custom, emailHolder);
}

const spareEmailReason = (emailHolder: string) => `, and the email where "${emailHolder}" is empty or not an email`;

function asSpareEmail(m: ColumnMapping, emailHolder: string): ColumnMapping {
  return { ...m, reason: `${m.reason}${spareEmailReason(emailHolder)}`, spareFor: 'email' };
}

const FIRST_AND_LAST = 'first and last name';

/** `empty`: what, empty in a row, makes the column the person's name: first and last name, or another name column. */
function asSpareName(m: ColumnMapping, empty = FIRST_AND_LAST): ColumnMapping {
  return { ...m, reason: `${m.reason}, and the name where ${empty} ${empty === FIRST_AND_LAST ? 'are' : 'is'} empty`, spareFor: 'fullName' };
}

/** A spare email column of a file whose email column (`emailHolder`) the operator mapped to something else: a custom field only. */
function withoutSpare(m: ColumnMapping, emailHolder: string): ColumnMapping {
  const { spareFor: _spare, ...rest } = m;
  const suffix = spareEmailReason(emailHolder);
  return { ...rest, reason: rest.reason.endsWith(suffix) ? rest.reason.slice(0, -suffix.length) : rest.reason };
}

const FIRST_AND_LAST_TAKEN = 'first and last names come from their own columns';

function whyTaken(field: ImportField, holders: ReadonlyMap<ImportField, string>): string | undefined {
  if (field === 'fullName' && (holders.has('firstName') || holders.has('lastName'))) return FIRST_AND_LAST_TAKEN;
  const holder = holders.get(field);
  return holder === undefined ? undefined : `${field} already comes from "${holder}"`;
}

// Asked for the rows of a file, each of which would match the header again: the answer for each header is kept.
const contactNameHeaders = new Map<string, boolean>();
const MOST_HEADERS_KEPT = 1000;

/** Whether the header names each contact by one name, a person's or an organisation's (Xero's `*ContactName`). */
export function isContactNameHeader(header: string): boolean {
  let known = contactNameHeaders.get(header);
  if (known === undefined) {
    const fields = matchHeader(header)?.fields ?? [];
    known = fields.includes('fullName') && fields.includes('businessName');
    if (contactNameHeaders.size >= MOST_HEADERS_KEPT) contactNameHeaders.clear();
    contactNameHeaders.set(header, known);
  }
  return known;
}

function matchHeader(header: string): HeaderMatch | undefined {
  const key = normalizeHeader(header);
  // "Home Phone 2" is another home phone and "E-mail 2 - Value" another email, unless a numbered alias says otherwise.
  const exact = [key, key.replace(/\d+/g, '#'), key.replace(/\d+/g, '')]
    .map((candidate) => aliasesByKey.get(candidate))
    .find((alias) => alias !== undefined);
  // "Customer ID" is two letters from "Customer" and "Customer #" is "Customer" less its sign, but each is an identifier,
  // not a name: its numbers would be read as phone numbers. A header ending in an identifier word is only matched by
  // an alias that ends in that word too (Zip Code, Email ID), or that is a phone (Phone #), or by its words.
  const lastWord = headerWords(header).at(-1) ?? '';
  const identifier = IDENTIFIER_WORDS.has(lastWord);
  if (exact !== undefined && !(identifier && !exact.key.endsWith(aliasKey(lastWord)) && !exact.fields.every(isPhoneField))) {
    return { fields: exact.fields, how: 'alias', phrase: exact.phrase };
  }
  const near = matchWords(header) ?? (identifier ? undefined : matchSpelling(key));
  return near === undefined ? undefined : { fields: near.fields, how: 'fuzzy', phrase: near.phrase };
}

/** The same words in any order, less qualifying words: "Phone Mobile", "Client Email", "Mobile No.", "Alt Ph". */
function matchWords(header: string): Alias | undefined {
  const words = headerWords(header).filter((word) => !QUALIFYING_WORDS.has(word));
  const spelledOut = words.map((word) => SHORT_WORDS.get(word) ?? word);
  const byWords = aliasesByWords.get(wordsKey(words)) ?? aliasesByWords.get(wordsKey(spelledOut));
  if (byWords !== undefined) return byWords;
  // Only phones are numbers, and only phones and emails come in several: "Mobile No." is the mobile and "Alt Email"
  // an email, but "Company Number" is not the company and "Other Name" not the name.
  const byNumberWords = aliasesByWords.get(wordsKey(spelledOut.filter((word) => !NUMBER_WORDS.has(word) && !ANOTHER_WORDS.has(word))));
  const fields = byNumberWords?.fields ?? [];
  const numbered = spelledOut.some((word) => NUMBER_WORDS.has(word));
  const phoneOrEmail = fields.length > 0 && fields.every((field) => isPhoneField(field) || (field === 'email' && !numbered));
  return phoneOrEmail ? byNumberWords : undefined;
}

/** Typos ("E-mail Adress", "Frist Name"), allowing more of them in longer headers; a tie between fields is no match. */
function matchSpelling(key: string): Alias | undefined {
  const allowed = key.length >= 10 ? 2 : key.length >= 6 ? 1 : 0;
  if (allowed === 0) return undefined;
  let best: Alias[] = [];
  let bestDistance = allowed;
  for (const alias of aliases) {
    // A different number is a different column: "POAddressLine3" is not line 1.
    const numbered = alias.key.includes('#');
    if (!numbered && numbersIn(alias.key) !== numbersIn(key)) continue;
    const distance = editDistance(numbered ? key.replace(/\d+/g, '#') : key, alias.key);
    if (distance < bestDistance) [best, bestDistance] = [[alias], distance];
    else if (distance === bestDistance) best.push(alias);
  }
  const [first] = best;
  return first !== undefined && best.every((alias) => sameFields(alias.fields, first.fields)) ? first : undefined;
}

/** What most of a column's sample values are; "text" when not one of them is an email address or phone number. */
function describeValues(values: readonly string[]): ValueLook {
  const filled = values.filter((value) => value !== '');
  if (filled.length === 0) return 'nothing';
  // A cell may hold several addresses ("jo@example.com; jo@work.example"): the import reads the first.
  const emails = filled.filter((value) => normalizeEmail(splitEmails(value)[0] ?? value).ok).length;
  const phones = filled.filter(looksLikePhone).length;
  if (emails * 2 > filled.length) return 'email addresses';
  if (phones * 2 > filled.length) return 'phone numbers';
  return emails + phones === 0 ? 'text' : 'mixed';
}

/**
 * Words of headers of numbers that are no phone's, which may be written like one ("0412 345 678" an account number):
 * such a column stays a custom field whatever its values. Identifiers ("Patient ID", "Customer #") are others.
 */
const OTHER_NUMBER_WORDS = new Set([
  'account', 'acct', 'abn', 'acn', 'tfn', 'tax', 'gst', 'vat', 'bsb', 'bank', 'iban', 'swift', 'card', 'medicare', 'dva',
  'ndis', 'nhs', 'ssn', 'insurance', 'policy', 'member', 'membership', 'licence', 'license', 'invoice', 'order', 'passport',
  'serial', 'balance', 'amount', 'total', 'mrn', 'urn', 'crn', 'claim', 'tracking', 'barcode', 'chart', 'record', 'file',
  'provider', 'job', 'case', 'employee', 'customer', 'patient', 'client', 'student', 'staff', 'voucher', 'receipt',
]);
// Written as people write a phone number: internationally, with a trunk 0 ("0412345678"), in parentheses, or in groups.
// A column of digits alone without a 0 before them ("298700000") is far more often one of ids than of numbers.
const WRITTEN_AS_A_NUMBER = /^\s*(?:\+|\(|0)|\d[\s.-]\d/;
// Nearly all: a value or two of another kind ("ask reception") among the numbers.
const NEARLY_ALL = 0.9;

function mostlyDigits(values: readonly string[]): boolean {
  const filled = values.filter((value) => value !== '');
  return filled.filter((value) => PHONE_CHARACTERS.test(value) && !DATE.test(value) && /\d/.test(value)).length * 2 > filled.length;
}

function mostlyWrittenAsNumbers(values: readonly string[]): boolean {
  const filled = values.filter((value) => value !== '');
  return filled.filter((value) => WRITTEN_AS_A_NUMBER.test(value)).length * 2 > filled.length;
}

/**
 * The reason to map a column of no known header as a phone, when nearly all its sampled values are valid phone
 * numbers for the business's country: not only written like numbers, which ids and account numbers are too.
 */
function validPhoneNumbers(header: string, values: readonly string[], defaultCountry: string): string | undefined {
  if (headerWords(header).some((word) => IDENTIFIER_WORDS.has(word) || OTHER_NUMBER_WORDS.has(word))) return undefined;
  // A row is read with its placeholders ("-", "N/A") as empty cells.
  const filled = values.filter((value) => value !== '' && !isPlaceholder(value));
  const valid = filled.filter((value) => looksLikeOneNumber(value) && normalizePhone(value, defaultCountry).ok).length;
  // A number that passed through a spreadsheet may have lost its 0 ("412345678"), but not most of a column's.
  if (filled.length === 0 || valid < filled.length * NEARLY_ALL || !mostlyWrittenAsNumbers(filled)) return undefined;
  return `values are phone numbers valid in ${defaultCountry.toUpperCase()} (${valid} of ${filled.length} sampled)`;
}

const PHONE_CHARACTERS = /^\+?[\d\s().-]+(?:\s*(?:x|ext\.?|extension)\s*\d+)?$/i;
// Longer than any number written with an extension: the test above takes time with the square of a long cell's
// length (runs of spaces), and a column's sample may hold a pasted paragraph.
const LONGEST_NUMBER = 40;
const DATE = /^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[.-]\d{1,2}[.-]\d{2,4}$/;

/** One number, or several written in one cell with labels or separators the import reads (`M: 0412 … / W: 02 …`). */
function looksLikePhone(value: string): boolean {
  return looksLikeOneNumber(value) || (numbersWrittenInCell(value)?.every((number) => looksLikeOneNumber(number.text)) ?? false);
}

function looksLikeOneNumber(value: string): boolean {
  if (value.length > LONGEST_NUMBER) return false;
  const digits = value.replace(/\D/g, '').length;
  return PHONE_CHARACTERS.test(value) && !DATE.test(value) && digits >= 6 && digits <= 17;
}

/** Google's "Phone N - Label" types the number in "Phone N - Value", so it is read with it rather than kept apart. */
function pairPhoneLabels(mapping: readonly ColumnMapping[], explicitColumns: ReadonlySet<number>): ColumnMapping[] {
  const labelsByNumber = new Map<string, ColumnMapping>();
  for (const m of mapping) {
    const number = GOOGLE_PHONE_LABEL.exec(normalizeHeader(m.header))?.[1];
    if (number !== undefined) labelsByNumber.set(number, m);
  }
  const labelOfPhone = new Map<number, ColumnMapping>();
  for (const m of mapping) {
    const number = GOOGLE_PHONE_VALUE.exec(normalizeHeader(m.header))?.[1];
    const label = number === undefined ? undefined : labelsByNumber.get(number);
    if (label !== undefined && isPhoneField(m.field)) labelOfPhone.set(m.column, label);
  }
  const phoneOfLabel = new Map([...labelOfPhone].map(([phoneColumn, label]) => [label.column, phoneColumn]));
  const headerOf = new Map(mapping.map((m) => [m.column, m.header]));

  return mapping.map((m): ColumnMapping => {
    const plain = { column: m.column, header: m.header, field: m.field, reason: m.reason, ...(m.spareFor && { spareFor: m.spareFor }), ...(m.reportColumn && { reportColumn: m.reportColumn }) };
    const label = labelOfPhone.get(m.column);
    if (label !== undefined) return { ...plain, labelColumn: label.column };
    if (explicitColumns.has(m.column) || !GOOGLE_PHONE_LABEL.test(normalizeHeader(m.header))) return plain;
    const phoneColumn = phoneOfLabel.get(m.column);
    if (phoneColumn !== undefined) {
      return { ...plain, field: 'ignore', reason: `label of "${headerOf.get(phoneColumn)}": types that number` };
    }
    // Ignored only while it labelled a phone column that has since been mapped to something else.
    return m.field === 'ignore' ? { ...asCustom(m), reason: 'no phone column to label: kept as custom field' } : plain;
  });
}

// Xero's API dumps: "PhoneCountryCode", "PhoneAreaCode" and "PhoneNumber"; so for Mobile, Fax and DDI.
const XERO_PHONE_NUMBER = /^(phone|mobile|fax|ddi)number$/;
const XERO_PHONE_PART = /^(phone|mobile|fax|ddi)(country|area)code$/;

/**
 * Xero's number in parts is read whole: its country and area code columns are read with its number column, not kept
 * as custom fields (alone, "9876 5432" is no number). Parts the operator mapped stay as mapped.
 */
function pairPhoneParts(mapping: readonly ColumnMapping[], explicitColumns: ReadonlySet<number>): ColumnMapping[] {
  const parts = new Map<string, ColumnMapping>();
  for (const m of mapping) {
    const part = XERO_PHONE_PART.exec(normalizeHeader(m.header));
    if (part !== null && !explicitColumns.has(m.column)) parts.set(`${part[1]} ${part[2]}`, m);
  }
  if (parts.size === 0) return [...mapping];
  const numberOfPart = new Map<number, string>();
  const paired = mapping.map((m): ColumnMapping => {
    const kind = XERO_PHONE_NUMBER.exec(normalizeHeader(m.header))?.[1];
    if (kind === undefined || !isPhoneField(m.field)) return m;
    const [country, area] = [parts.get(`${kind} country`), parts.get(`${kind} area`)];
    for (const part of [country, area]) if (part !== undefined) numberOfPart.set(part.column, m.header);
    return { ...m, ...(country && { countryCodeColumn: country.column }), ...(area && { areaCodeColumn: area.column }) };
  });
  return paired.map((m) => {
    const part = XERO_PHONE_PART.exec(normalizeHeader(m.header))?.[2];
    if (part === undefined || explicitColumns.has(m.column)) return m;
    const numberHeader = numberOfPart.get(m.column);
    if (numberHeader !== undefined) return { column: m.column, header: m.header, field: 'ignore', reason: `${part} code of "${numberHeader}": read with that number` };
    // Ignored only while it was read with a number column that has since been mapped to something else.
    return m.field === 'ignore' ? { ...asCustom(m), reason: 'no phone column to read it with: kept as custom field' } : m;
  });
}

const GOOGLE_EMAIL_VALUE = /^email(\d+)value$/;
const GOOGLE_EMAIL_LABEL = /^email(\d+)(?:label|type)$/;

/**
 * Google's "E-mail N - Label" marks the primary of a contact's emails ("* Home"), which need not be the first: its
 * "E-mail N - Value" column, the email's or a spare, is read with it. The label stays a custom field as it was.
 */
function pairEmailLabels(mapping: readonly ColumnMapping[]): ColumnMapping[] {
  const labelByNumber = new Map<string, number>();
  for (const m of mapping) {
    const number = GOOGLE_EMAIL_LABEL.exec(normalizeHeader(m.header))?.[1];
    if (number !== undefined) labelByNumber.set(number, m.column);
  }
  if (labelByNumber.size === 0) return [...mapping];
  return mapping.map((m) => {
    if (m.field !== 'email' && m.spareFor !== 'email') return m;
    const number = GOOGLE_EMAIL_VALUE.exec(normalizeHeader(m.header))?.[1];
    const labelColumn = number === undefined ? undefined : labelByNumber.get(number);
    return labelColumn === undefined ? m : { ...m, labelColumn };
  });
}

function singleValuedClashes(auto: readonly ColumnMapping[], chosen: ReadonlyMap<number, MappingTarget>): string[] {
  const headersByTarget = new Map<MappingTarget, string[]>();
  for (const [column, target] of chosen) {
    if (isSingleValued(target)) headersByTarget.set(target, [...(headersByTarget.get(target) ?? []), auto[column]?.header ?? '']);
  }
  return [...headersByTarget]
    .filter(([, headers]) => headers.length > 1)
    .map(
      ([target, headers]) =>
        `${target} is given to ${headers.map((header) => `"${header}"`).join(' and ')}, but a contact has one ${target}: ` +
        'map the others to custom:<name> or ignore',
    );
}

function findColumn(mapping: readonly ColumnMapping[], header: string): ColumnMapping | 'ambiguous' | undefined {
  // Headers are read trimmed, and a header in a mapping may be typed with the spaces the file has.
  const exact = mapping.find((m) => m.header === header || m.header === header.trim());
  if (exact !== undefined) return exact;
  const loosely = header.trim().toLowerCase();
  const alike = mapping.filter((m) => m.header.toLowerCase() === loosely);
  return alike.length > 1 ? 'ambiguous' : alike[0];
}

function asCustom(m: ColumnMapping): ColumnMapping {
  return { column: m.column, header: m.header, field: customFieldFor(m.column, m.header), reason: m.reason };
}

function customFieldFor(column: number, header: string): MappingTarget {
  const name = header.trim();
  return customField(name === '' ? `Column ${column + 1}` : name);
}

function aliasKey(phrase: string): string {
  return withoutDiacritics(phrase)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}#]/gu, '');
}

/** "POAddressLine1" → po address line 1; "E-mail 1 - Value" → email 1 value. */
function headerWords(header: string): string[] {
  return withoutDiacritics(header)
    .replace(/e-mail/gi, 'email')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}#]+/u)
    .filter((word) => word !== '');
}

function wordsKey(words: readonly string[]): string {
  return [...new Set(words)].sort().join(' ');
}

function withoutDiacritics(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '');
}

function numbersIn(key: string): string {
  return key.replace(/\D+/g, ' ').trim();
}

function sameFields(a: readonly ImportField[], b: readonly ImportField[]): boolean {
  return a.length === b.length && a.every((field, index) => field === b[index]);
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost one each. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? at(i - 2, j - 2) + 1 : Number.POSITIVE_INFINITY;
      const row = rows[i];
      if (row !== undefined) row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, substitution, swap);
    }
  }
  return at(a.length, b.length);
}
