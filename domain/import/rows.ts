import { normalizeEmail, type EmailResult } from '../email';
import { hasLegalForm, isInitialOf, isPartOfFamilyName, isPlainerCaseOf, isShorterGivenName, isUnaccentedOf, looksLikeOrganisation, mayBeSamePerson, splitFullName, withoutTitles } from '../names';
import { extensionOf, joinPhoneParts, normalizePhone, type PhoneResult } from '../phone';
import { splitEmails, splitMultiValue, valuesWrittenApart, withoutPlaceholderParts } from './cell-values';
import { numberBeforeWords, numbersWrittenInCell } from './phone-cell';
import { isPlaceholder, stripExportArtifacts } from '../text';
import {
  type AddressKind,
  type AddressPart,
  addressParts,
  customFieldName,
  type ImportField,
  isPhoneField,
  type PhoneField,
} from './fields';
import { type ColumnMapping, isContactNameHeader } from './mapping';

export type PhoneType = 'mobile' | 'home' | 'work' | 'fax' | 'other';
export type Address = Partial<Record<AddressPart, string>>;
export type ImportedPhone = { raw: string; e164: string; type: PhoneType; primary: boolean };

export type ImportedContact = {
  firstName: string;
  middleName?: string;
  lastName: string;
  businessName?: string;
  email?: { address: string; normalized: string };
  phones: ImportedPhone[];
  tags: string[];
  notes?: string;
  customFields: Record<string, string>;
  contactAddress?: Address;
  billingAddress?: Address;
  /** The business's contact the row names by its id (an export's `Switchboard ID`): the row updates it. */
  storedId?: string;
  /** The number the file marks as the primary (Google's star): an update makes it the contact's primary. */
  markedPrimary?: string;
  /**
   * Why the row would be refused as a contact of its own (no last name, no phone or email), built all the same
   * because it names a stored contact by its id (`buildContact`'s `named`): it may only update that contact.
   */
  incomplete?: RowProblem[];
};

export type RowProblem = {
  column?: string /* header */;
  field?: string;
  message: string;
  /** Why a row was skipped, not a value of it left out: kept in the ledger, not reported as a warning. */
  note?: true;
};
export type RowOutcome = { ok: true; contact: ImportedContact; warnings: RowProblem[] } | { ok: false; problems: RowProblem[] };

/** A contact as the contacts store holds it (db/schema.ts), for the "update" match mode. */
export type StoredAddress = { [P in AddressPart]?: string | null };
export type StoredPhone = { raw: string; e164: string; type: PhoneType; isPrimary: boolean };
export type ExistingContact = {
  firstName: string;
  middleName: string | null;
  lastName: string;
  businessName: string | null;
  email: string | null;
  emailNormalized: string | null;
  notes: string | null;
  phones: readonly StoredPhone[];
  tags: readonly string[];
  customFields: Readonly<Record<string, string>>;
  contactAddress: StoredAddress | null;
  billingAddress: StoredAddress | null;
};

export type ContactField = 'firstName' | 'middleName' | 'lastName' | 'businessName' | 'email' | 'emailNormalized' | 'notes';
export type ContactUpdate = {
  changes: {
    fields: Partial<Record<ContactField, string>>;
    addPhones: StoredPhone[];
    addTags: string[];
    customFields: Record<string, string>;
    /**
     * The parts that were empty; or, for an address in `replacedAddresses`, every part of the row's address, '' for a
     * part it has not (the stored one's would belong to the address it replaces).
     */
    contactAddress: Address;
    billingAddress: Address;
    /** The addresses the row's replace whole: another street than the stored one's. */
    replacedAddresses?: AddressKind[];
    /** The number, held or added, that becomes the primary. */
    primaryPhone?: string;
  };
  /** What each change replaced, for undo; null where there was nothing. */
  previous: {
    fields: Partial<Record<ContactField, string | null>>;
    customFields: Record<string, string | null>;
    contactAddress: StoredAddress;
    billingAddress: StoredAddress;
    primaryPhone?: string | null;
  };
  warnings: RowProblem[];
};

type Cell = { header: string; field: ColumnMapping['field']; value: string; label: string; spareFor: ColumnMapping['spareFor'] };

const PHONE_TYPE_OF_FIELD: Record<PhoneField, PhoneType | undefined> = {
  phone: undefined,
  mobilePhone: 'mobile',
  homePhone: 'home',
  workPhone: 'work',
  fax: 'fax',
};

// Google's phone labels. "Main" and "Other" say nothing about the number, so the number itself is asked.
const PHONE_TYPE_OF_LABEL: Record<string, PhoneType> = {
  mobile: 'mobile',
  cell: 'mobile',
  home: 'home',
  work: 'work',
  fax: 'fax',
  'home fax': 'fax',
  'work fax': 'fax',
  'other fax': 'fax',
  // Written by the export for a number of no known kind: read back as such, not as what the number looks like.
  other: 'other',
};

// Google stars the primary of a contact's numbers and emails (the label "* Home") and the groups of its own
// ("* myContacts", "* Friends"): the star is part of neither's name.
const GOOGLE_STAR = /^\*\s*/;

function isMarkedPrimary(label: string): boolean {
  return label.startsWith('*');
}

// Google puts these on every contact; they are not the business's tags.
const GOOGLE_SYSTEM_LABELS = new Set(['mycontacts', 'my contacts', 'starred']);
// What may stand between tags, or around one, but is none.
const TAG_SEPARATORS = /[;,]/;
const TAG_EDGES = /^[\s;,]+|[\s;,]+$/g;
// A tag of punctuation alone is a stray separator; a symbol (an emoji) may be a tag.
const TAG_CONTENT = /[^\p{P}\s]/u;

/**
 * A placeholder ("-", "N/A", "none") in any other cell is read as an empty cell, which never blanks a stored value. A
 * first, last or full name is read as written: "Nil" and "Null" are names people have, and a row needs its name, so
 * one read as empty would fail the row where it now imports with a name that can be corrected.
 */
const PERSON_NAME_FIELDS: ReadonlySet<ColumnMapping['field']> = new Set(['firstName', 'lastName', 'fullName']);

export function buildContact(
  record: readonly string[],
  mapping: readonly ColumnMapping[],
  /**
   * `named`: the row names a stored contact by its id (a partial export edited and imported back, a contact made from
   * a message with no last name): built without the name or the phone or email it lacks, which the contact has.
   */
  options: { defaultCountry: string; named?: boolean },
): RowOutcome {
  const cells: Cell[] = [];
  for (const m of mapping) {
    if (m.field === 'ignore') continue;
    const value = m.countryCodeColumn === undefined && m.areaCodeColumn === undefined ? cellAt(record, m.column) : numberFromParts(record, m);
    const noValue = (isPlaceholder(value) && !PERSON_NAME_FIELDS.has(m.field)) || value === m.noValue;
    cells.push({ header: m.header, field: m.field, value: noValue ? '' : value, label: cellAt(record, m.labelColumn), spareFor: m.spareFor });
  }
  const name = readName(cells);
  const points = readPhonesAndEmail(cells, options.defaultCountry);
  const reachable = points.phones.length > 0 || points.email !== undefined;
  // The mapping has a column for each of the header's: most rows have no more cells than that.
  const beyond = record.length > mapping.length ? cellsBeyondHeader(record, mapping.length) : undefined;
  const incomplete = name.ok && reachable ? undefined : [...(name.ok ? [] : [name.problem]), ...(reachable ? [] : points.problems)];
  const id = readStoredId(cells);
  if (incomplete !== undefined && !(options.named && id?.ok)) {
    return { ok: false, problems: [...incomplete, ...(id?.ok === false ? [id.problem] : []), ...(beyond ? [beyond] : [])] };
  }
  const names: { firstName: string; middleName?: string; lastName: string } = name.ok ? name : partialName(cells);
  const businessCell = name.ok && name.from?.field === 'businessName' ? undefined : cells.find((cell) => cell.field === 'businessName' && cell.value !== '');
  // Xero's contact name is the person's own name for an individual: no business of theirs. A company column naming
  // the person is a sole trader's business.
  const ownName = businessCell !== undefined && isContactNameHeader(businessCell.header) && name.ok && isOwnName(businessCell.value, name);
  const businessName = ownName ? undefined : businessCell?.value;
  const notes = valueOf(cells, 'notes');
  const contactAddress = readAddress(cells, 'contactAddress');
  const billingAddress = readAddress(cells, 'billingAddress');
  const contact: ImportedContact = {
    firstName: names.firstName,
    ...(names.middleName !== undefined && { middleName: names.middleName }),
    lastName: names.lastName,
    ...(businessName !== undefined && { businessName }),
    ...(points.email !== undefined && { email: points.email }),
    phones: points.phones,
    tags: readTags(cells),
    ...(notes !== undefined && { notes }),
    customFields: readCustomFields(cells, [points.emailFrom, name.ok ? name.from : undefined], points.demoted),
    ...(contactAddress !== undefined && { contactAddress }),
    ...(billingAddress !== undefined && { billingAddress }),
  };
  if (id?.ok) contact.storedId = id.value;
  if (incomplete !== undefined) contact.incomplete = incomplete;
  if (points.markedPrimary !== undefined) contact.markedPrimary = points.markedPrimary;
  // A row that names its contact says what was wrong with its values all the same; only that it lacks them is no warning.
  const warnings = [...(name.ok && name.remark ? [name.remark] : []), ...(reachable ? points.problems : points.problems.filter((p) => p.column !== undefined)), ...(id?.ok === false ? [id.problem] : []), ...(beyond ? [beyond] : [])];
  return { ok: true, contact, warnings };
}

/**
 * Fills and updates an existing contact with what a row adds, for the "update" match mode. An empty cell never
 * blanks anything; a different email is not replaced (it may be how the contact is known) but warned about.
 */
export function mergeForUpdate(
  existing: ExistingContact,
  incoming: ImportedContact,
  /**
   * Keep a name the contact has in full over a shorter form of it in the row ("Christopher" over "Chris", "Smith-Jones"
   * over "Smith"): for rows matched by their keys. A record linked to the contact (a sync's) renames it as it says.
   */
  options: { keepFullerNames?: boolean } = {},
): ContactUpdate {
  const update: ContactUpdate = {
    changes: { fields: {}, addPhones: [], addTags: [], customFields: {}, contactAddress: {}, billingAddress: {} },
    previous: { fields: {}, customFields: {}, contactAddress: {}, billingAddress: {} },
    warnings: [],
  };
  const set = (field: ContactField, given: string | undefined) => {
    const value = nonBlank(given);
    if (value === undefined || sameValue(existing[field], value)) return;
    update.changes.fields[field] = value;
    update.previous.fields[field] = existing[field];
  };
  // "J." is a name the contact has in full already: an initial adds nothing, and would take the name's place.
  // So is a name written without its accents ("Jose" for "José").
  // So is one in capitals only or small letters only ("JANE" for "Jane").
  const fuller = options.keepFullerNames === true;
  const plainer = (given: string | undefined, name: string | null) => fuller && (isUnaccentedOf(given, name) || isPlainerCaseOf(given, name));
  const shorterFirst =
    fuller && incoming.firstName !== existing.firstName &&
    (isShorterGivenName(incoming.firstName, existing.firstName) || plainer(incoming.firstName, existing.firstName));
  if (!isInitialOf(incoming.firstName, existing.firstName) && !shorterFirst) set('firstName', incoming.firstName);
  if (!isInitialOf(incoming.middleName, existing.middleName) && !plainer(incoming.middleName, existing.middleName)) set('middleName', incoming.middleName);
  // A first name that holds what is stored as the first and middle names ("Mary Ann", a household's "Jo & Sam"): the
  // middle name is part of it, and no longer one of its own.
  const storedMiddle = nonBlank(existing.middleName);
  if (storedMiddle !== undefined && incoming.middleName === undefined && sameWords(`${existing.firstName} ${storedMiddle}`, incoming.firstName)) {
    update.changes.fields.middleName = '';
    update.previous.fields.middleName = existing.middleName;
  }
  const shorterLast =
    fuller && incoming.lastName !== existing.lastName &&
    (isPartOfFamilyName(incoming.lastName, existing.lastName) || plainer(incoming.lastName, existing.lastName));
  if (!shorterLast) set('lastName', incoming.lastName);
  if (!plainer(incoming.businessName, existing.businessName)) set('businessName', incoming.businessName);
  set('notes', mergedNotes(existing.notes, incoming.notes));
  mergeEmail(existing, incoming, set, update.warnings);

  const knownNumbers = new Set(existing.phones.map((phone) => phone.e164));
  const primary = existing.phones.find((phone) => phone.isPrimary)?.e164 ?? null;
  // A number the file marks as the primary is made so; otherwise the contact keeps the primary it has.
  const marked = incoming.markedPrimary !== undefined && incoming.markedPrimary !== primary ? incoming.markedPrimary : undefined;
  if (marked !== undefined) {
    update.changes.primaryPhone = marked;
    update.previous.primaryPhone = primary;
  }
  update.changes.addPhones = incoming.phones
    .filter((phone) => !knownNumbers.has(phone.e164))
    .map(({ raw, e164, type, primary: first }) => ({ raw, e164, type, isPrimary: first && primary === null && marked === undefined }));

  const knownTags = new Set(existing.tags.map((tag) => tag.toLowerCase()));
  update.changes.addTags = incoming.tags.filter((tag) => !knownTags.has(tag.toLowerCase()));

  for (const [name, value] of Object.entries(incoming.customFields)) {
    if (nonBlank(value) === undefined || sameValue(existing.customFields[name], value)) continue;
    update.changes.customFields[name] = value;
    update.previous.customFields[name] = existing.customFields[name] ?? null;
  }
  for (const kind of ['contactAddress', 'billingAddress'] as const) {
    const merged = mergeAddress(existing[kind], incoming[kind], update.changes[kind], update.previous[kind]);
    if (merged === undefined) continue;
    const which = kind === 'contactAddress' ? 'address' : 'billing address';
    if (merged === 'differs') {
      // Without a street, a town or postcode alone cannot say where the person now lives.
      const given = describeAddress(incoming[kind] ?? null);
      update.warnings.push({ field: kind, message: `the ${which} '${given}' has no street and differs from the contact's, '${describeAddress(existing[kind])}', which it keeps` });
      continue;
    }
    (update.changes.replacedAddresses ??= []).push(kind);
    update.warnings.push({ field: kind, message: `the ${which} replaces the contact's, '${describeAddress(existing[kind])}'` });
  }
  return update;
}

type PhonesAndEmail = {
  phones: ImportedPhone[];
  email?: { address: string; normalized: string };
  /** A spare email cell that gave the email and nothing else: not kept as a custom field as well. */
  emailFrom?: Cell;
  /** The email column's cell, when a spare one marked primary gave the email: kept as a custom field by its header. */
  demoted?: Cell;
  markedPrimary?: string;
  problems: RowProblem[];
};

/**
 * The usable numbers and email, and what was wrong with the others: warnings while the contact can still be reached,
 * the reasons it is rejected when it cannot.
 */
function readPhonesAndEmail(cells: readonly Cell[], defaultCountry: string): PhonesAndEmail {
  // Loops, not chains of array methods: this runs for every row of an import, and the arrays and closures of chains
  // were a tenth of building a row.
  const phoneCells: Cell[] = [];
  let emailCell: Cell | undefined;
  let spareEmailCells: Cell[] | undefined;
  for (const cell of cells) {
    if (cell.value === '') continue;
    if (isPhoneField(cell.field)) phoneCells.push(cell);
    else if (cell.field === 'email' && emailCell === undefined) emailCell = cell;
    else if (cell.spareFor === 'email') (spareEmailCells ??= []).push(cell);
  }
  // Google marks the contact's primary email, which may be in a later column: that one is the contact's email, and
  // the email column's value is kept as a custom field instead.
  let demoted: Cell | undefined;
  const marked = spareEmailCells?.find((cell) => isMarkedPrimary(cell.label) && normalizeEmail(splitEmails(cell.value)[0] ?? '').ok);
  if (marked !== undefined && !isMarkedPrimary(emailCell?.label ?? '')) {
    demoted = emailCell;
    emailCell = marked;
    spareEmailCells = spareEmailCells?.filter((cell) => cell !== marked);
  } else if (emailCell === undefined && spareEmailCells !== undefined) emailCell = spareEmailCells.shift();
  if (phoneCells.length === 0 && emailCell === undefined) return { phones: [], problems: [noPhoneOrEmail(cells)] };

  const readings: { cell: Cell; value: string; result: PhoneResult }[] = [];
  const usable: PhoneReading[] = [];
  let remarks: RowProblem[] | undefined;
  const read = (cell: Cell, value: string, result: PhoneResult, labelled?: PhoneType) => {
    readings.push({ cell, value, result });
    // A label written beside the number in the cell is more particular than its column.
    if (result.ok) {
      let type = labelled ?? phoneType(cell, result.type);
      // A landline in a mobile's column or under a mobile's label takes no text message: typed mobile, it would be sent
      // the business's SMS, and be its primary before a real mobile.
      if (type === 'mobile' && NOT_MOBILE.has(result.type ?? '')) {
        type = 'other';
        (remarks ??= []).push(problem(cell, `phone '${value}' in "${cell.header}" is a landline, not a mobile: kept as another number`));
      }
      usable.push({ raw: value, e164: result.e164, type, marked: isMarkedPrimary(cell.label), mobileNumber: result.type === 'MOBILE', cell });
    }
  };
  for (const cell of phoneCells) {
    for (const written of splitMultiValue(cell.value)) {
      const value = withoutPlaceholderParts(written);
      const result = normalizePhone(value, defaultCountry);
      // Only a cell that is not one number is read in other ways: most are.
      const several = result.ok ? undefined : numbersInCell(value, defaultCountry);
      const remarked = result.ok || several !== undefined ? undefined : numbersBeforeRemarks(value, defaultCountry);
      const spaced = result.ok || several !== undefined || remarked !== undefined ? undefined : numbersBetweenSpaces(value, defaultCountry);
      if (several !== undefined) for (const number of several) read(cell, number.value, number.result, number.type);
      else if (spaced !== undefined) for (const number of spaced) read(cell, number.value, number.result);
      else if (remarked !== undefined) {
        for (const number of remarked) {
          read(cell, number.value, number.result);
          if (number.words !== undefined) (remarks ??= []).push(problem(cell, `the words after the number in "${cell.header}" ('${number.words}') were left out`));
        }
      } else read(cell, value, result);
    }
  }
  const { phones, leftOut, markedPrimary } = collectPhones(usable);
  const [emailValue, ...extraEmails] = emailCell === undefined ? [] : splitEmails(emailCell.value);
  const emailResult = emailValue === undefined ? undefined : normalizeEmail(emailValue);
  const spare = emailResult?.ok === false ? readSpareEmail(spareEmailCells) : undefined;
  const usableEmail = emailResult?.ok ? emailResult : spare?.result;
  const email = usableEmail === undefined ? undefined : { address: usableEmail.email, normalized: usableEmail.normalized };

  const reachable = phones.length > 0 || email !== undefined;
  const otherwise = (leftOut: string, missing: string) => (reachable ? `; ${leftOut} was left out` : ` and there is no ${missing}`);
  const problems: RowProblem[] = [];
  for (const { cell, result } of readings) {
    if (result.ok) continue;
    const missing = readings.length > 1 || emailCell !== undefined ? 'other usable phone or email' : 'email';
    problems.push(problem(cell, `phone ${result.reason}${otherwise('the number', missing)}`));
  }
  if (remarks !== undefined) problems.push(...remarks);
  for (const { reading, kept } of leftOut ?? []) {
    problems.push(problem(reading.cell, `phone '${reading.raw}' was left out: it is '${kept}' with another extension, and a contact holds a number once`));
  }
  if (emailCell !== undefined) {
    // A spare column's value that is no email stays what it was, a custom field, while the contact can be reached.
    if (emailResult?.ok === false && !(emailCell.spareFor === 'email' && reachable && spare === undefined)) {
      const instead = spare === undefined ? otherwise('the email', phoneCells.length > 0 ? 'usable phone' : 'phone') : `; the email in "${spare.cell.header}" is used instead`;
      problems.push(problem(emailCell, `email ${emailResult.reason}${instead}`));
    }
    // A spare column holding several stays whole as a custom field.
    if (emailCell.spareFor !== 'email') {
      for (const extra of extraEmails) problems.push(problem(emailCell, `the email '${extra}' was left out: a contact has one email`));
    }
  }
  let emailFrom: Cell | undefined;
  if (spare !== undefined) emailFrom = spare.alone ? spare.cell : undefined;
  else if (emailCell?.spareFor === 'email' && emailResult?.ok && extraEmails.length === 0) emailFrom = emailCell;
  return {
    phones,
    ...(email !== undefined && { email }),
    ...(emailFrom !== undefined && { emailFrom }),
    ...(demoted !== undefined && { demoted }),
    ...(markedPrimary !== undefined && { markedPrimary }),
    problems,
  };
}

/** The first spare email cell that holds a usable email, and whether that email is all the cell holds. */
function readSpareEmail(cells: readonly Cell[] | undefined): { cell: Cell; result: EmailResult & { ok: true }; alone: boolean } | undefined {
  for (const cell of cells ?? []) {
    const [value, ...others] = splitEmails(cell.value);
    const result = value === undefined ? undefined : normalizeEmail(value);
    if (result?.ok) return { cell, result, alone: others.length === 0 };
  }
  return undefined;
}

/** Xero's number in parts, written as one. */
function numberFromParts(record: readonly string[], m: ColumnMapping): string {
  return joinPhoneParts({ countryCode: cellAt(record, m.countryCodeColumn), areaCode: cellAt(record, m.areaCodeColumn), number: cellAt(record, m.column) });
}

const CELLS_SHOWN = 3;

/**
 * The values of a row past the header's columns, which no column reads: almost always a comma or delimiter in a
 * cell that is not quoted, which has moved the rest of the row along. Empty cells there (a sheet's padding) are not.
 */
function cellsBeyondHeader(record: readonly string[], columns: number): RowProblem | undefined {
  const values = record.slice(columns).map((cell) => stripExportArtifacts(cell)).filter((value) => value !== '' && !isPlaceholder(value));
  if (values.length === 0) return undefined;
  const shown = values.slice(0, CELLS_SHOWN).map((value) => `'${value}'`).join(', ') + (values.length > CELLS_SHOWN ? ', …' : '');
  const cells = values.length === 1 ? '1 cell' : `${values.length} cells`;
  return {
    message: `${cells} beyond the header's ${columns} columns ${values.length === 1 ? 'was' : 'were'} left out (${shown}): is there an unquoted comma or delimiter in the row?`,
  };
}

function cellAt(record: readonly string[], column: number | undefined): string {
  return column === undefined ? '' : stripExportArtifacts(record[column] ?? '');
}

function valueOf(cells: readonly Cell[], field: ImportField): string | undefined {
  const value = cells.find((cell) => cell.field === field)?.value;
  return value === '' ? undefined : value;
}

type Name =
  /**
   * `from`: the spare name cell the names were read from, which is then neither the business name nor a custom field.
   * `remark`: a remark in brackets taken out of a full name ("Jane Smith (Mum)"), said as a warning.
   */
  | { ok: true; firstName: string; middleName?: string; lastName: string; from?: Cell; remark?: RowProblem }
  | { ok: false; problem: RowProblem };

function readName(cells: readonly Cell[]): Name {
  const first = cells.find((cell) => cell.field === 'firstName');
  const last = cells.find((cell) => cell.field === 'lastName');
  const full = cells.find((cell) => cell.field === 'fullName');
  const middleName = valueOf(cells, 'middleName');
  if (first?.value && last?.value) {
    return { ok: true, firstName: withoutTitles(first.value), ...(middleName !== undefined && { middleName }), lastName: last.value };
  }
  if (full?.value) {
    if (namesOrganisation(full)) {
      return { ok: false, problem: problem(full, `first and last name are missing (only the business name '${full.value}' is given)`) };
    }
    const { name, remark } = withoutRemarks(full);
    const split = splitFullName(name);
    const middle = middleName ?? split.middleName;
    if (split.lastName !== undefined) {
      return { ok: true, firstName: split.firstName, ...(middle !== undefined && { middleName: middle }), lastName: split.lastName, ...(remark && { remark }) };
    }
    return { ok: false, problem: problem(full, `last name is missing (the name '${full.value}' is one word)`) };
  }
  const spare = cells.find((cell) => cell.spareFor === 'fullName' && cell.value !== '' && !looksLikeOrganisation(cell.value));
  const split = spare === undefined ? undefined : splitFullName(spare.value);
  if (split?.lastName !== undefined) {
    const middle = middleName ?? split.middleName;
    const named = { ok: true as const, ...(middle !== undefined && { middleName: middle }), from: spare };
    if (!first?.value && !last?.value) return { ...named, firstName: split.firstName, lastName: split.lastName };
    // One of the two given, the name cell holding both (Xero's "Emma Wilson" beside FirstName "Emma"): the other part.
    const given = first?.value ? withoutTitles(first.value) : undefined;
    if (given && sameWords(given, split.firstName)) return { ...named, firstName: given, lastName: split.lastName };
    if (last?.value && sameWords(last.value, split.lastName)) return { ...named, firstName: split.firstName, lastName: last.value };
  }
  return { ok: false, problem: missingName(cells, first, last) };
}

// A remark in brackets after or within a full name: "Jane Smith (Mum)", "Tom (Tommy) Baker".
const BRACKETED = /\s*[([][^)\]]*[)\]]\s*/g;

/** A full name cell's name without its remarks in brackets, and a warning naming them when it had any. */
function withoutRemarks(cell: Cell): { name: string; remark?: RowProblem } {
  const remarks = cell.value.match(BRACKETED);
  if (remarks === null) return { name: cell.value };
  const name = cell.value.replace(BRACKETED, ' ').trim();
  if (name === '') return { name: cell.value };
  const said = remarks.map((r) => `'${r.trim()}'`).join(' and ');
  return { name, remark: problem(cell, `${said} in the name '${cell.value}' was left out of it`) };
}

const wordsOf = (text: string) => text.trim().toLowerCase().split(/\s+/).join(' ');

function sameWords(a: string, b: string): boolean {
  return wordsOf(a) === wordsOf(b);
}

/**
 * Whether a contact name is the person's own, however Xero's user wrote it: the family name first ("Smith, John", "Li
 * Wei"), with a title ("Mrs Jane Doe"), or with a given name that may be the same person's ("Kate" for Katherine, "J.").
 */
function isOwnName(text: string, name: { firstName: string; middleName?: string; lastName: string }): boolean {
  const full = [name.firstName, name.middleName, name.lastName].filter((part) => part !== undefined && part !== '').join(' ');
  if (sameWords(text, full) || sameWords(text, `${name.firstName} ${name.lastName}`)) return true;
  // Splitting and comparing names costs microseconds, and most business names do not hold the family name at all.
  if (!mayHoldFamilyName(text, name.lastName) || looksLikeOrganisation(text)) return false;
  const written = splitFullName(text);
  return written.lastName !== undefined && mayBeSamePerson({ firstName: written.firstName, lastName: written.lastName }, name);
}

// Printable ASCII: a name in it is compared letter for letter; one with accents may be written without them.
const NOT_PLAIN_ASCII = /[^ -~]/;

/** Whether the text may hold one of the words of the family name: a quick test before names are compared in full. */
function mayHoldFamilyName(text: string, lastName: string): boolean {
  if (NOT_PLAIN_ASCII.test(text) || NOT_PLAIN_ASCII.test(lastName)) return true;
  const lowerCased = text.toLowerCase();
  return lastName.toLowerCase().split(/[^a-z]+/).some((part) => part !== '' && lowerCased.includes(part));
}

function missingName(cells: readonly Cell[], first: Cell | undefined, last: Cell | undefined): RowProblem {
  if (first?.value) return missingPart('last', 'lastName', last);
  if (last?.value) return missingPart('first', 'firstName', first);
  const business = cells.find((cell) => cell.field === 'businessName' && cell.value !== '');
  if (business !== undefined) {
    return problem(business, `first and last name are missing (only the business name '${business.value}' is given)`);
  }
  const spare = cells.find((cell) => cell.spareFor === 'fullName' && cell.value !== '');
  if (spare !== undefined) {
    const what = looksLikeOrganisation(spare.value) ? "an organisation's name" : 'one word';
    return problem(spare, `first and last name are missing, and '${spare.value}' in "${spare.header}" is ${what}`);
  }
  const nameHeaders = cells.filter((cell) => ['firstName', 'lastName', 'fullName'].includes(cell.field)).map((cell) => `"${cell.header}"`);
  const detail =
    nameHeaders.length === 0
      ? 'no column is mapped to firstName and lastName, or to fullName'
      : `${nameHeaders.join(' and ')} ${nameHeaders.length === 1 ? 'is' : 'are'} empty`;
  return { message: `first and last name are missing (${detail})` };
}

function missingPart(part: 'first' | 'last', field: ImportField, cell: Cell | undefined): RowProblem {
  if (cell === undefined) return { field, message: `${part} name is missing (no column is mapped to ${field} or fullName)` };
  return problem(cell, `${part} name is missing ("${cell.header}" is empty)`);
}

function noPhoneOrEmail(cells: readonly Cell[]): RowProblem {
  const mapped = cells.some((cell) => cell.field === 'email' || isPhoneField(cell.field));
  const detail = mapped ? 'their columns are empty' : 'no column is mapped to email or a phone field';
  return { message: `a contact needs a phone or an email, and there is neither (${detail})` };
}

function problem(cell: Cell, message: string): RowProblem {
  return { column: cell.header, field: cell.field, message };
}

/** The column's kind of phone, else a Google label, else what libphonenumber knows of the number. */
// libphonenumber's types of numbers that are surely not mobiles ("FIXED_LINE_OR_MOBILE", as US numbers are, may be).
const NOT_MOBILE: ReadonlySet<string> = new Set(['FIXED_LINE', 'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST']);

function phoneType(cell: Cell, numberType: string | undefined): PhoneType {
  const ofField = isPhoneField(cell.field) ? PHONE_TYPE_OF_FIELD[cell.field] : undefined;
  const ofLabel = PHONE_TYPE_OF_LABEL[cell.label.replace(GOOGLE_STAR, '').toLowerCase()];
  return ofField ?? ofLabel ?? (numberType === 'MOBILE' ? 'mobile' : 'other');
}

/** `mobileNumber`: libphonenumber's reading of the number, whatever its label says. */
type PhoneReading = Omit<ImportedPhone, 'primary'> & { marked: boolean; mobileNumber: boolean; cell: Cell };

/**
 * One entry per number however it was written. The primary is the number the file marks so (`markedPrimary`), else
 * the mobile, else a mobile number labelled of no kind, else the first number that is not a fax. `leftOut`: readings
 * of a number kept with another extension (a contact holds a number once), to be warned about.
 */
function collectPhones(readings: readonly PhoneReading[]): { phones: ImportedPhone[]; leftOut?: { reading: PhoneReading; kept: string }[]; markedPrimary?: string } {
  const byNumber = new Map<string, PhoneReading>();
  let leftOut: { reading: PhoneReading; kept: string }[] | undefined;
  for (const reading of readings) {
    const seen = byNumber.get(reading.e164);
    if (seen !== undefined && seen.raw !== reading.raw && extensionOf(seen.raw, seen.e164) !== extensionOf(reading.raw, reading.e164)) {
      (leftOut ??= []).push({ reading, kept: seen.raw });
      continue;
    }
    // A later column may know what kind of number an earlier, generic one was.
    if (seen === undefined || seen.type === 'other') {
      const { e164, type, mobileNumber, cell } = reading;
      byNumber.set(e164, { raw: seen?.raw ?? reading.raw, e164, type, marked: reading.marked || seen?.marked === true, mobileNumber, cell });
    } else if (reading.marked) seen.marked = true;
  }
  const phones = [...byNumber.values()];
  const primary =
    phones.find((phone) => phone.marked) ??
    phones.find((phone) => phone.type === 'mobile') ??
    phones.find((phone) => phone.type === 'other' && phone.mobileNumber) ??
    phones.find((phone) => phone.type !== 'fax') ??
    phones[0];
  // Built field by field: an object spread here, once per number, cost as much as reading the row's email.
  return {
    phones: phones.map(({ raw, e164, type }) => ({ raw, e164, type, primary: e164 === primary?.e164 })),
    ...(leftOut && { leftOut }),
    ...(primary?.marked && { markedPrimary: primary.e164 }),
  };
}

/**
 * The numbers of a phone cell that is not one number as a whole (see `numbersWrittenInCell`), when it holds several:
 * all of them read, or some read and each of the others long enough to be a number on its own (`0412 345 666 / 9876
 * 5433`, the landline without its area code), which then stand or fall alone. Otherwise the cell is one number written
 * oddly (a slash can be part of one: 030/1234567), and fails as a whole.
 */
function numbersInCell(value: string, defaultCountry: string): { value: string; result: PhoneResult; type?: PhoneType }[] | undefined {
  const written = numbersWrittenInCell(value);
  if (written === undefined) return undefined;
  const numbers = written.map(({ text, type }) => ({ value: text, result: normalizePhone(text, defaultCountry), ...(type !== undefined && { type }) }));
  const standsAlone = (text: string) => text.replace(/\D/g, '').length >= MIN_DIGITS_OF_A_NUMBER;
  return numbers.every((number) => number.result.ok || standsAlone(number.value)) && numbers.some((number) => number.result.ok) ? numbers : undefined;
}

/**
 * The numbers of a cell whose values, written apart, are each a number, perhaps with a remark after it ("0412 345 678
 * after 5pm / 02 9876 5432"); undefined when any is not.
 */
function numbersBeforeRemarks(value: string, defaultCountry: string): { value: string; result: PhoneResult; words?: string }[] | undefined {
  const whole = numberBeforeRemark(value, defaultCountry);
  if (whole !== undefined) return [whole];
  const parts = valuesWrittenApart(value);
  if (parts.length < 2) return undefined;
  const numbers: { value: string; result: PhoneResult; words?: string }[] = [];
  for (const part of parts) {
    const result = normalizePhone(part, defaultCountry);
    if (result.ok) {
      numbers.push({ value: part, result });
      continue;
    }
    const remarked = numberBeforeRemark(part, defaultCountry);
    if (remarked === undefined) return undefined;
    numbers.push(remarked);
  }
  return numbers;
}

/**
 * The numbers of a cell of several numbers with nothing but spaces between them (`0412 111 444 0412 111 555`): read
 * from the left, each the fewest groups of digits that make a valid number. Undefined unless the whole cell is so read.
 */
function numbersBetweenSpaces(value: string, defaultCountry: string): { value: string; result: PhoneResult & { ok: true } }[] | undefined {
  const groups = value.trim().split(/\s+/);
  // Two numbers have twice the digits of the shortest one at least.
  if (groups.length < 2 || groups.length > MOST_GROUPS || value.replace(/\D/g, '').length < 2 * MIN_DIGITS_OF_A_NUMBER) return undefined;
  if (!groups.every((group) => /^\+?[\d().-]+$/.test(group))) return undefined;
  const numbers: { value: string; result: PhoneResult & { ok: true } }[] = [];
  let from = 0;
  while (from < groups.length) {
    let read: { value: string; result: PhoneResult & { ok: true } } | undefined;
    let digits = 0;
    for (let to = from + 1; to <= groups.length && read === undefined; to++) {
      digits += (groups[to - 1] as string).replace(/\D/g, '').length;
      if (digits < MIN_DIGITS_OF_A_NUMBER) continue;
      if (digits > MOST_DIGITS_OF_A_NUMBER) return undefined;
      const text = groups.slice(from, to).join(' ');
      const result = normalizePhone(text, defaultCountry);
      if (result.ok) {
        read = { value: text, result };
        from = to;
      }
    }
    if (read === undefined) return undefined;
    numbers.push(read);
  }
  return numbers.length > 1 ? numbers : undefined;
}

// Two or three numbers of four groups each: beyond that a cell is no list of numbers.
const MOST_GROUPS = 12;
// E.164's longest number, with its country code.
const MOST_DIGITS_OF_A_NUMBER = 15;

/**
 * The number a phone cell starts with, when words follow it that are a remark on it (`0412 345 678 after 5pm`): the
 * number stands alone, and the words are left out. A cell whose number does not read stays one that fails whole.
 */
function numberBeforeRemark(value: string, defaultCountry: string): { value: string; result: PhoneResult & { ok: true }; words: string } | undefined {
  const written = numberBeforeWords(value);
  if (written === undefined) return undefined;
  const result = normalizePhone(written.text, defaultCountry);
  return result.ok ? { value: written.text, result, words: written.words } : undefined;
}

// Australia's shortest local numbers (13 xx xx) have six digits.
const MIN_DIGITS_OF_A_NUMBER = 6;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a full name cell names an organisation rather than a person: a display name (a customer's, Xero's contact
 * name) may be an organisation's; a column of people's names may hold a company's too, known then by its legal form.
 */
function namesOrganisation(cell: Cell): boolean {
  return isContactNameHeader(cell.header) ? looksLikeOrganisation(cell.value) : hasLegalForm(cell.value);
}

/** The parts of a name a row has when it lacks the rest (a first name alone, "Cher"): '' for none. */
function partialName(cells: readonly Cell[]): { firstName: string; lastName: string } {
  const fullCell = cells.find((cell) => cell.field === 'fullName' && cell.value !== '');
  const full = splitFullName(fullCell === undefined || namesOrganisation(fullCell) ? '' : fullCell.value);
  const first = valueOf(cells, 'firstName');
  return { firstName: first === undefined ? full.firstName : withoutTitles(first), lastName: valueOf(cells, 'lastName') ?? full.lastName ?? '' };
}

function readStoredId(cells: readonly Cell[]): { ok: true; value: string } | { ok: false; problem: RowProblem } | undefined {
  const cell = cells.find((c) => c.field === 'switchboardId' && c.value !== '');
  if (cell === undefined) return undefined;
  if (UUID.test(cell.value)) return { ok: true, value: cell.value.toLowerCase() };
  return { ok: false, problem: problem(cell, `'${cell.value}' is not the id of a Switchboard contact; the row is matched by its email and phones`) };
}

function readTags(cells: readonly Cell[]): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const cell of cells) {
    if (cell.field !== 'tags' || cell.value === '') continue;
    // Google separates a contact's labels with " ::: ", and a label may hold a comma ("Smith, J referrals"): a cell
    // that uses it is split on it alone. Other cells are split on semicolons and commas.
    const google = splitMultiValue(cell.value);
    for (const part of google.length > 1 ? google : cell.value.split(TAG_SEPARATORS)) {
      // Most tags have neither a separator at an end nor a star: no regular expression is run for them.
      let tag = part.trim();
      const [first, last] = [tag[0], tag.at(-1)];
      if (first === ';' || first === ',' || last === ';' || last === ',') tag = tag.replace(TAG_EDGES, '');
      if (tag.startsWith('*')) tag = tag.replace(GOOGLE_STAR, '');
      const key = tag.toLowerCase();
      if (!TAG_CONTENT.test(tag) || (part.trimStart().startsWith('*') && GOOGLE_SYSTEM_LABELS.has(key)) || seen.has(key) || isPlaceholder(tag)) continue;
      seen.add(key);
      tags.push(tag);
    }
  }
  return tags;
}

/**
 * The custom fields' values, but for spare cells that were `used` as the contact's name or email, and with the email
 * cell that a marked spare one took the place of.
 */
function readCustomFields(cells: readonly Cell[], used: readonly (Cell | undefined)[], demoted: Cell | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const cell of cells) {
    const name = cell === demoted ? cell.header : customFieldName(cell.field);
    if (name === undefined || cell.value === '' || used.includes(cell)) continue;
    // Two columns with one header both keep their values.
    fields[name] = fields[name] === undefined ? cell.value : `${fields[name]}; ${cell.value}`;
  }
  return fields;
}

/** The address's parts; a part that several columns give (line 2 from Xero's lines 2 to 4) joined with ", ". */
function readAddress(cells: readonly Cell[], kind: AddressKind): Address | undefined {
  // Most files have no address columns: their rows need not be searched for each part.
  if (!cells.some((cell) => cell.field.startsWith(`${kind}.`))) return undefined;
  const address: Address = {};
  for (const part of addressParts) {
    const field = `${kind}.${part}`;
    for (const cell of cells) {
      if (cell.field !== field || cell.value === '') continue;
      const before = address[part];
      address[part] = before === undefined ? cell.value : `${before}, ${cell.value}`;
    }
  }
  return Object.keys(address).length === 0 ? undefined : address;
}

function mergeEmail(
  existing: ExistingContact,
  incoming: ImportedContact,
  set: (field: ContactField, value: string) => void,
  warnings: RowProblem[],
): void {
  if (incoming.email === undefined || existing.emailNormalized === incoming.email.normalized) return;
  if (nonBlank(existing.emailNormalized) === undefined) {
    set('email', incoming.email.address);
    set('emailNormalized', incoming.email.normalized);
    return;
  }
  warnings.push({
    field: 'email',
    message: `the email '${incoming.email.address}' differs from the contact's '${existing.email}'; the contact keeps its email`,
  });
}

/** Notes are written by people on both sides, so the file's are added to the contact's rather than replacing them. */
/**
 * Whether a stored value is the row's: the import takes the spaces off both ends of every cell, so a value stored with
 * them (by a sync, or before) is the same value, and an export imported back changes nothing.
 */
function sameValue(stored: string | null | undefined, value: string): boolean {
  return stored === value || stored?.trim() === value;
}

function mergedNotes(existing: string | null, incoming: string | undefined): string | undefined {
  const notes = nonBlank(incoming);
  const current = nonBlank(existing);
  if (notes === undefined || current === undefined) return notes;
  return current.includes(notes) ? undefined : `${current}\n\n${notes}`;
}

/**
 * The row's address into the stored one: its parts fill the stored address's empty ones, unless it is another street,
 * or the same street in another town or postcode (the person has moved), which replaces the stored address whole, so
 * that no part of the old one (its postcode, say) is left with the new. Returns whether it replaced it, or, for a row
 * without a street whose town or postcode differ from the stored address's, that they differ: the stored one is kept.
 */
function mergeAddress(existing: StoredAddress | null, incoming: Address | undefined, changes: Address, previous: StoredAddress): 'replaced' | 'differs' | undefined {
  const street = nonBlank(incoming?.line1);
  const storedStreet = nonBlank(existing?.line1);
  const differs = (part: 'city' | 'postalCode') => {
    const value = nonBlank(incoming?.[part]);
    const current = nonBlank(existing?.[part]);
    return value !== undefined && current !== undefined && !isSamePlace(value, current);
  };
  const elsewhere = differs('city') || differs('postalCode');
  const moved = street !== undefined && (elsewhere || (storedStreet !== undefined && !isSameStreet(storedStreet, street)));
  // No part of an address of another place fills the stored one's (a postcode of another town).
  if (elsewhere && street === undefined) return 'differs';
  for (const part of addressParts) {
    const value = nonBlank(incoming?.[part]);
    const current = existing?.[part] ?? null;
    if (moved) {
      // Every part is written, the same ones too: the stored address is replaced by the row's as a whole.
      changes[part] = value ?? '';
      if (sameValue(current, value ?? '') || (value === undefined && nonBlank(current) === undefined)) continue;
    } else {
      if (value === undefined || nonBlank(current) !== undefined) continue;
      changes[part] = value;
    }
    previous[part] = current;
  }
  return moved ? 'replaced' : undefined;
}

// The words streets are called by, as people shorten them: "12 Harbour St" is "12 Harbour Street".
const STREET_WORDS: Readonly<Record<string, string>> = {
  st: 'street', rd: 'road', ave: 'avenue', av: 'avenue', dr: 'drive', pde: 'parade', cres: 'crescent', cr: 'crescent',
  ct: 'court', crt: 'court', pl: 'place', hwy: 'highway', ln: 'lane', blvd: 'boulevard', tce: 'terrace', cl: 'close',
  cct: 'circuit', gr: 'grove', esp: 'esplanade', sq: 'square', pkwy: 'parkway', wy: 'way', hts: 'heights', mt: 'mount',
  n: 'north', s: 'south', e: 'east', w: 'west', apt: 'unit', flat: 'unit', lvl: 'level', l: 'level',
};

const streetWords = (street: string) =>
  street
    .toLowerCase()
    .split(/[\s.,]+/)
    .filter((word) => word !== '')
    .map((word) => STREET_WORDS[word] ?? word)
    .join(' ');

const placeWords = (place: string) => place.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');

/**
 * Whether two towns or postcodes are one written two ways: letter case, spaces and punctuation aside, or one with
 * more after it ("Sydney NSW" and "Sydney", "SW1A 1AA" and "sw1a1aa").
 */
function isSamePlace(a: string, b: string): boolean {
  const [x, y] = [placeWords(a), placeWords(b)];
  if (x.join('') === y.join('')) return true;
  const [shorter, longer] = x.length <= y.length ? [x, y] : [y, x];
  return shorter.length > 0 && shorter.every((word, i) => longer[i] === word);
}

/** Whether two street lines are one street written two ways: letter case, punctuation and shortened words aside. */
export function isSameStreet(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase() || streetWords(a) === streetWords(b);
}

function describeAddress(address: StoredAddress | null): string {
  return addressParts.flatMap((part) => nonBlank(address?.[part]) ?? []).join(', ');
}

function nonBlank(value: string | null | undefined): string | undefined {
  return value === undefined || value === null || value.trim() === '' ? undefined : value;
}
