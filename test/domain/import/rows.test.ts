import { describe, expect, it } from 'vitest';
import { applyMapping, autoMapColumns, type ColumnMapping } from '../../../domain/import/mapping';
import { buildContact, type ImportedContact, type ImportedPhone, type RowOutcome, type RowProblem } from '../../../domain/import/rows';
import { readFixture } from './read-fixture';

function build(headers: string[], record: string[], defaultCountry = 'AU'): RowOutcome {
  return buildContact(record, autoMapColumns(headers, []), { defaultCountry });
}

function mapped(headers: string[], explicit: Record<string, string>): ColumnMapping[] {
  const result = applyMapping(autoMapColumns(headers, []), explicit);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.mapping;
}

function contactOf(outcome: RowOutcome): ImportedContact {
  if (!outcome.ok) throw new Error(`rejected: ${JSON.stringify(outcome.problems)}`);
  return outcome.contact;
}

const JANE = { firstName: 'Jane', lastName: 'Citizen', phones: [], tags: [], customFields: {} };
const JANE_EMAIL = { address: 'jane@example.com', normalized: 'jane@example.com' };
const MOBILE = { raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true } as const;

const xeroPerson = ['*ContactName', 'FirstName', 'LastName', 'EmailAddress'];

describe('buildContact: a name column beside first and last name columns', () => {
  const xero = ['*ContactName', 'FirstName', 'LastName', 'EmailAddress'];
  const list = ['Name', 'First Name', 'Last Name', 'Email'];

  it.each<[string, string[], string[], Partial<ImportedContact>]>([
    ["is the person's name where those are empty", xero, ['Jane Citizen', '', '', 'jane@example.com'], { email: JANE_EMAIL }],
    ['is a custom field of a customer list, or its name', list, ['Jane Mary Citizen', '', '', 'jane@example.com'], { middleName: 'Mary', email: JANE_EMAIL }],
    ["is the business's name beside a person's", xero, ['Citizen Family Dental', 'Jane', 'Citizen', 'jane@example.com'], { businessName: 'Citizen Family Dental', email: JANE_EMAIL }],
    ['stays a custom field beside the names', list, ['Citizen, Jane', 'Jane', 'Citizen', 'jane@example.com'], { email: JANE_EMAIL, customFields: { Name: 'Citizen, Jane' } }],
  ])('%s', (_, headers, record, expected) => {
    expect(build(headers, record)).toStrictEqual({ ok: true, contact: { ...JANE, ...expected }, warnings: [] });
  });

  // A customer's or contact's display name alone, naming an organisation: no person to split it into.
  it.each<[string[], string[], RowProblem]>([
    [['Customer', 'Email'], ['Harbour Physio Pty Ltd', 'admin@harbour.example'], { column: 'Customer', field: 'fullName', message: "first and last name are missing (only the business name 'Harbour Physio Pty Ltd' is given)" }],
    [['*ContactName', 'EmailAddress'], ['Acme Supplies Pty Ltd', 'a@acme.example'], { column: '*ContactName', field: 'fullName', message: "first and last name are missing (only the business name 'Acme Supplies Pty Ltd' is given)" }],
    [['Display Name', 'Email'], ['The Smith Family Trust', 'a@smith.example'], { column: 'Display Name', field: 'fullName', message: "first and last name are missing (only the business name 'The Smith Family Trust' is given)" }],
    [['Name', 'Email'], ['Acme Supplies Pty Ltd', 'a@acme.example'], { column: 'Name', field: 'fullName', message: "first and last name are missing (only the business name 'Acme Supplies Pty Ltd' is given)" }],
    [['Full Name', 'Email'], ['Widgets Inc.', 'a@widgets.example'], { column: 'Full Name', field: 'fullName', message: "first and last name are missing (only the business name 'Widgets Inc.' is given)" }],
    [['Name', 'Email'], ['Harbour Physio P/L', 'a@harbour.example'], { column: 'Name', field: 'fullName', message: "first and last name are missing (only the business name 'Harbour Physio P/L' is given)" }],
  ])('is not split into a person when alone and naming an organisation: %j', (headers, record, expected) => {
    expect(build(headers, record)).toStrictEqual({ ok: false, problems: [expected] });
  });

  it.each<[string[], string[], Partial<ImportedContact>]>([
    [['First Name', 'Last Name', 'Email'], ['Dr Jane', 'Citizen', 'jane@example.com'], { firstName: 'Jane', lastName: 'Citizen' }],
    [['First Name', 'Last Name', 'Email'], ['Dr', 'Citizen', 'jane@example.com'], { firstName: 'Dr', lastName: 'Citizen' }],
    [['*ContactName', 'FirstName', 'EmailAddress'], ['Jane Citizen', 'Mrs Jane', 'jane@example.com'], { firstName: 'Jane', lastName: 'Citizen' }],
  ])('leaves a title out of a first name cell with a name besides: %j', (headers, record, expected) => {
    const built = build(headers, record);
    expect(built.ok && built.contact).toMatchObject(expected);
  });

  // A column of people's names holding what only may be an organisation's: a person's entry, kept as one.
  it.each<[string, Partial<ImportedContact>]>([
    ['Jo & Sam Lee', { firstName: 'Jo & Sam', lastName: 'Lee' }],
    ['Harbour Dental', { firstName: 'Harbour', lastName: 'Dental' }],
  ])('splits %j in a plain name column into a person', (name, expected) => {
    const built = build(['Name', 'Email'], [name, 'jo@example.com']);
    expect(built.ok && built.contact).toMatchObject(expected);
  });

  it.each<[string[], string[], RowProblem]>([
    [xero, ['Acme Supplies Pty Ltd', '', '', 'a@acme.example'], { column: '*ContactName', field: 'businessName', message: "first and last name are missing (only the business name 'Acme Supplies Pty Ltd' is given)" }],
    [list, ['Bondi Medical Centre', '', '', 'a@bondi.example'], { column: 'Name', field: 'custom:Name', message: `first and last name are missing, and 'Bondi Medical Centre' in "Name" is an organisation's name` }],
    [list, ['Cher', '', '', 'cher@example.com'], { column: 'Name', field: 'custom:Name', message: `first and last name are missing, and 'Cher' in "Name" is one word` }],
  ])('is not taken for a person when it names an organisation or is one word: %j', (headers, record, expected) => {
    expect(build(headers, record)).toStrictEqual({ ok: false, problems: [expected] });
  });
});

describe('buildContact: a row naming a stored contact by its id', () => {
  const id = '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d';
  const headers = ['Switchboard ID', 'First Name', 'Last Name', 'Email', 'Tags'];

  it('is refused as a contact of its own when it lacks a last name or a phone or email', () => {
    expect(buildContact([id, 'Cher', '', '', 'VIP'], autoMapColumns(headers, []), { defaultCountry: 'AU' })).toStrictEqual({
      ok: false,
      problems: [
        { column: 'Last Name', field: 'lastName', message: 'last name is missing ("Last Name" is empty)' },
        { message: 'a contact needs a phone or an email, and there is neither (their columns are empty)' },
      ],
    });
  });

  it('is built with what it has when it may update that contact, and says what it lacks', () => {
    const built = buildContact([id, 'Cher', '', '', 'VIP'], autoMapColumns(headers, []), { defaultCountry: 'AU', named: true });
    expect(built).toStrictEqual({
      ok: true,
      contact: {
        firstName: 'Cher',
        lastName: '',
        phones: [],
        tags: ['VIP'],
        customFields: {},
        storedId: id,
        incomplete: [
          { column: 'Last Name', field: 'lastName', message: 'last name is missing ("Last Name" is empty)' },
          { message: 'a contact needs a phone or an email, and there is neither (their columns are empty)' },
        ],
      },
      warnings: [],
    });
  });

  it('says what was wrong with a value it lacks, and takes no company for a person', () => {
    const built = buildContact([id, 'Jane', 'Smith', 'jane@@example', ''], autoMapColumns(headers, []), { defaultCountry: 'AU', named: true });
    expect(built.ok && built.warnings).toEqual([{ column: 'Email', field: 'email', message: expect.stringMatching(/^email 'jane@@example' /) }]);
    const company = buildContact([id, 'Harbour Dental Pty Ltd', 'jane@x.com'], autoMapColumns(['Switchboard ID', 'Name', 'Email'], []), { defaultCountry: 'AU', named: true });
    expect(company.ok && company.contact).toMatchObject({ firstName: '', lastName: '', incomplete: [expect.objectContaining({ column: 'Name' })] });
  });

  it('is refused all the same when its id is no contact id, saying so', () => {
    const built = buildContact(['12', 'Cher', '', '', 'VIP'], autoMapColumns(headers, []), { defaultCountry: 'AU', named: true });
    expect(built.ok === false && built.problems.map((p) => p.field)).toEqual(['lastName', undefined, 'switchboardId']);
  });
});

describe("buildContact: a number in Xero's parts", () => {
  const headers = ['FirstName', 'LastName', 'PhoneCountryCode', 'PhoneAreaCode', 'PhoneNumber', 'MobileCountryCode', 'MobileAreaCode', 'MobileNumber'];

  it.each<[string, string[], ImportedPhone[]]>([
    [
      'with a country code, international',
      ['64', '9', '379 4567', '61', '', '412 345 678'],
      [
        { raw: '+64 9 379 4567', e164: '+6493794567', type: 'other', primary: false },
        { raw: '+61 412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
      ],
    ],
    ['the area code without its trunk 0', ['61', '02', '9876 5432', '', '', ''], [{ raw: '+61 2 9876 5432', e164: '+61298765432', type: 'other', primary: true }]],
    ['without a country code, national', ['', '02', '9876 5432', '', '', '0412 345 678'], [
      { raw: '02 9876 5432', e164: '+61298765432', type: 'other', primary: false },
      { raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
    ]],
    ['a number written whole', ['61', '02', '+61 2 9876 5432', '', '', ''], [{ raw: '+61 2 9876 5432', e164: '+61298765432', type: 'other', primary: true }]],
  ])('reads the number %s', (_, parts, phones) => {
    const contact = contactOf(build(headers, ['Jane', 'Citizen', ...parts]));
    expect(contact.phones).toStrictEqual(phones);
    expect(contact.customFields).toStrictEqual({});
  });
});

describe('buildContact: a second email column', () => {
  const headers = ['First Name', 'Last Name', 'E-mail Address', 'E-mail 2 Address', 'Mobile Phone'];
  const second = 'E-mail 2 Address';

  it.each<[string, string[], Partial<ImportedContact>, RowProblem[]]>([
    ['gives the email when the first is empty', ['', 'jane@work.example', ''], { email: { address: 'jane@work.example', normalized: 'jane@work.example' }, customFields: {} }, []],
    ['stays a custom field beside the first', ['jane@example.com', 'jane@work.example', ''], { email: JANE_EMAIL, customFields: { [second]: 'jane@work.example' } }, []],
    [
      'gives the email when the first is not one',
      ['ask reception', 'jane@work.example', ''],
      { email: { address: 'jane@work.example', normalized: 'jane@work.example' }, customFields: {} },
      [{ column: 'E-mail Address', field: 'email', message: `email 'ask reception' is not a valid email address: it contains spaces; the email in "${second}" is used instead` }],
    ],
    ['stays a custom field, unremarked, when it holds no email and a phone reaches the contact', ['', 'see notes', '0412 345 678'], { phones: [MOBILE], customFields: { [second]: 'see notes' } }, []],
    [
      'stays whole as a custom field when it holds several emails, the first of them the email',
      ['', 'jane@work.example; jane@home.example', ''],
      { email: { address: 'jane@work.example', normalized: 'jane@work.example' }, customFields: { [second]: 'jane@work.example; jane@home.example' } },
      [],
    ],
  ])('%s', (_, cells, expected, warnings) => {
    const outcome = build(headers, ['Jane', 'Citizen', ...cells]);
    expect(outcome).toStrictEqual({ ok: true, contact: { ...JANE, ...expected }, warnings });
  });

  it('names its value when it is the only way to reach the contact and is no email', () => {
    expect(build(headers, ['Jane', 'Citizen', '', 'see notes', ''])).toStrictEqual({
      ok: false,
      problems: [{ column: second, field: `custom:${second}`, message: "email 'see notes' is not a valid email address: it contains spaces and there is no phone" }],
    });
  });
});

describe('buildContact: names', () => {
  it.each<[string, string[], string[], Partial<ImportedContact>]>([
    ['first and last name', ['First Name', 'Last Name', 'Email'], ['Jane', 'Citizen', 'jane@example.com'], { firstName: 'Jane', lastName: 'Citizen' }],
    [
      'a middle name column',
      ['First Name', 'Middle Name', 'Last Name', 'Email'],
      ['Jane', 'Mary', 'Citizen', 'jane@example.com'],
      { firstName: 'Jane', middleName: 'Mary', lastName: 'Citizen' },
    ],
    ['a full name', ['Name', 'Email'], ['Jane Mary Citizen', 'jane@example.com'], { firstName: 'Jane', middleName: 'Mary', lastName: 'Citizen' }],
    ['a full name written family first', ['Customer', 'Email'], ['Citizen, Jane', 'jane@example.com'], { firstName: 'Jane', lastName: 'Citizen' }],
    ['a full name with a particle', ['Full Name', 'Email'], ['Jane van der Berg', 'jane@example.com'], { firstName: 'Jane', lastName: 'van der Berg' }],
    [
      'a middle name column over the one in the full name',
      ['Name', 'Middle Name', 'Email'],
      ['Jane Mary Citizen', 'M.', 'jane@example.com'],
      { firstName: 'Jane', middleName: 'M.', lastName: 'Citizen' },
    ],
    [
      'a business name beside the person',
      ['*ContactName', 'FirstName', 'LastName', 'EmailAddress'],
      ['Citizen Dental', 'Jane', 'Citizen', 'jane@example.com'],
      { firstName: 'Jane', lastName: 'Citizen', businessName: 'Citizen Dental' },
    ],
    // Xero's export of individuals: the contact name is the person's, one of FirstName and LastName often empty.
    ['an individual of Xero, named twice', xeroPerson, ['Lucy Gray', 'Lucy', 'Gray', 'lucy@example.com'], { firstName: 'Lucy', lastName: 'Gray'}],
    ['an individual of Xero without LastName', xeroPerson, ['Emma Wilson', 'Emma', '', 'emma@example.com'], { firstName: 'Emma', lastName: 'Wilson'}],
    ['an individual of Xero without FirstName', xeroPerson, ['Raj Patel', '', 'Patel', 'raj@example.com'], { firstName: 'Raj', lastName: 'Patel'}],
    ['padding and invisible characters', ['First Name', 'Last Name', 'Email'], [' \u200BJane ', '\uFEFFCitizen\t', 'jane@example.com'], { firstName: 'Jane', lastName: 'Citizen' }],
  ])('reads %s', (_, headers, record, expected) => {
    expect(contactOf(build(headers, record))).toMatchObject(expected);
  });

  it.each([
    ['Lucy Gray', 'Lucy', 'Gray'],
    ['Emma Wilson', 'Emma', ''],
    ['LUCY  GRAY', 'Lucy', 'Gray'],
    // Written otherwise than FirstName and LastName: family name first, with a comma or without, a title, accents
    // or letter case, a short form of the given name or its initial.
    ['Smith, John', 'John', 'Smith'],
    ['Li Wei', 'Wei', 'Li'],
    ['Mrs Jane Doe', 'Jane', 'Doe'],
    ['Kate Wong', 'Katherine', 'Wong'],
    ['José Núñez', 'Jose', 'NUNEZ'],
    ['J. Citizen', 'Jane', 'Citizen'],
  ])("takes no business name from an individual's own name: %j for %j %j", (contactName, firstName, lastName) => {
    expect(contactOf(build(xeroPerson, [contactName, firstName, lastName, 'jane@example.com']))).not.toHaveProperty('businessName');
  });

  it.each([
    ['Citizen Family Dental', 'Jane', 'Citizen'],
    ['Wong Physio', 'Kate', 'Wong'],
    // Another person's name: the account is in their name (a parent's, a partner's).
    ['Paula Smith', 'Paul', 'Smith'],
    ['Smith Jones', 'John', 'Smith'],
  ])('keeps the business name %j beside %j %j', (contactName, firstName, lastName) => {
    expect(contactOf(build(xeroPerson, [contactName, firstName, lastName, 'jane@example.com']))).toMatchObject({ businessName: contactName });
  });

  it("takes the email Google marks primary, and keeps the email column's other address as a custom field", () => {
    const headers = ['Given Name', 'Family Name', 'E-mail 1 - Type', 'E-mail 1 - Value', 'E-mail 2 - Type', 'E-mail 2 - Value'];
    expect(contactOf(build(headers, ['Marion', 'Zink', 'Home', 'marion@old.example', '* Home', 'marion@new.example']))).toMatchObject({
      email: { address: 'marion@new.example', normalized: 'marion@new.example' },
      customFields: { 'E-mail 1 - Type': 'Home', 'E-mail 1 - Value': 'marion@old.example', 'E-mail 2 - Type': '* Home' },
    });
    // The email column marked too, or a mark on a value that is no email: the email column's.
    expect(contactOf(build(headers, ['Marion', 'Zink', '* Work', 'marion@old.example', '* Home', 'marion@new.example']))).toMatchObject({
      email: { address: 'marion@old.example' },
      customFields: { 'E-mail 2 - Value': 'marion@new.example' },
    });
    expect(contactOf(build(headers, ['Marion', 'Zink', 'Work', 'marion@old.example', '* Home', 'not an email']))).toMatchObject({
      email: { address: 'marion@old.example' },
      customFields: { 'E-mail 2 - Value': 'not an email' },
    });
  });

  it('keeps a number written twice with two extensions once, and says which was left out', () => {
    const outcome = build(['First', 'Last', 'Phone'], ['Jane', 'Citizen', '02 9876 5448 x23 (w) / 02 9876 5448 x24 (w)']);
    expect(contactOf(outcome).phones).toEqual([{ raw: '02 9876 5448 x23', e164: '+61298765448', type: 'work', primary: true }]);
    expect(outcome).toMatchObject({
      warnings: [{ column: 'Phone', field: 'phone', message: "phone '02 9876 5448 x24' was left out: it is '02 9876 5448 x23' with another extension, and a contact holds a number once" }],
    });
  });

  it('reads the id of the contact a row names, and warns of a value that is none', () => {
    const headers = ['Switchboard ID', 'First Name', 'Last Name', 'Email'];
    const id = '0190A5B2-1234-7000-8000-00000000000A';
    expect(contactOf(build(headers, [id, 'Jane', 'Citizen', 'jane@example.com']))).toMatchObject({ storedId: id.toLowerCase() });
    const outcome = build(headers, ['12345', 'Jane', 'Citizen', 'jane@example.com']);
    expect(contactOf(outcome)).not.toHaveProperty('storedId');
    expect(outcome).toMatchObject({
      warnings: [{ column: 'Switchboard ID', field: 'switchboardId', message: "'12345' is not the id of a Switchboard contact; the row is matched by its email and phones" }],
    });
  });

  it("keeps a company column that names the person: a sole trader's business", () => {
    expect(contactOf(build(['First Name', 'Last Name', 'Company', 'Email'], ['Jane', 'Citizen', 'Jane Citizen', 'jane@example.com']))).toMatchObject({
      businessName: 'Jane Citizen',
    });
  });

  it('fails a row whose one name part the contact name does not hold', () => {
    expect(build(xeroPerson, ['Citizen Dental', 'Jane', '', 'jane@example.com'])).toEqual({
      ok: false,
      problems: [{ column: 'LastName', field: 'lastName', message: 'last name is missing ("LastName" is empty)' }],
    });
  });

  it('splits a mapped full name when the first and last name cells of the row are empty', () => {
    const mapping = mapped(['First Name', 'Last Name', 'Display Name', 'Email'], { 'Display Name': 'fullName' });
    const outcome = buildContact(['', '', 'Jane Citizen', 'jane@example.com'], mapping, { defaultCountry: 'AU' });
    expect(contactOf(outcome)).toMatchObject({ firstName: 'Jane', lastName: 'Citizen' });
  });

  it.each<[string, string[], string[], RowProblem]>([
    [
      'only a business name',
      ['*ContactName', 'FirstName', 'LastName', 'EmailAddress'],
      ['Acme Supplies Pty Ltd', '', '', 'accounts@acme.example'],
      { column: '*ContactName', field: 'businessName', message: "first and last name are missing (only the business name 'Acme Supplies Pty Ltd' is given)" },
    ],
    [
      'a one-word full name',
      ['Name', 'Email'],
      ['Cher', 'cher@example.com'],
      { column: 'Name', field: 'fullName', message: "last name is missing (the name 'Cher' is one word)" },
    ],
    [
      'an empty last name',
      ['First Name', 'Last Name', 'Email'],
      ['Jane', '', 'jane@example.com'],
      { column: 'Last Name', field: 'lastName', message: 'last name is missing ("Last Name" is empty)' },
    ],
    [
      'an empty first name',
      ['First Name', 'Last Name', 'Email'],
      ['', 'Citizen', 'jane@example.com'],
      { column: 'First Name', field: 'firstName', message: 'first name is missing ("First Name" is empty)' },
    ],
    [
      'no first name column',
      ['Surname', 'Email'],
      ['Citizen', 'jane@example.com'],
      { field: 'firstName', message: 'first name is missing (no column is mapped to firstName or fullName)' },
    ],
    [
      'empty name cells',
      ['First Name', 'Last Name', 'Email'],
      ['', '', 'jane@example.com'],
      { message: 'first and last name are missing ("First Name" and "Last Name" are empty)' },
    ],
    ['an empty full name', ['Name', 'Email'], ['', 'jane@example.com'], { message: 'first and last name are missing ("Name" is empty)' }],
    [
      'no name columns',
      ['Email', 'Mobile'],
      ['jane@example.com', '0412 345 678'],
      { message: 'first and last name are missing (no column is mapped to firstName and lastName, or to fullName)' },
    ],
  ])('rejects %s', (_, headers, record, problem) => {
    expect(build(headers, record)).toStrictEqual({ ok: false, problems: [problem] });
  });
});

describe('buildContact: phones', () => {
  it('keeps one number however it was written', () => {
    const outcome = build(['First', 'Last', 'Mobile', 'Phone', 'Home Phone'], ['Jane', 'Citizen', '0412 345 678', '+61 412 345 678', '(04) 1234 5678']);
    expect(contactOf(outcome).phones).toStrictEqual([MOBILE]);
  });

  it('lets a later column say what a generic number is', () => {
    const outcome = build(['First', 'Last', 'Phone', 'Home Phone'], ['Jane', 'Citizen', '02 9876 5432', '(02) 9876-5432']);
    expect(contactOf(outcome).phones).toStrictEqual([{ raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: true }]);
  });

  it.each<[string, string[], string[], ImportedContact['phones'], string?]>([
    [
      'the mobile column is primary',
      ['First', 'Last', 'Home Phone', 'Work Phone', 'Mobile'],
      ['Jane', 'Citizen', '02 9876 5432', '02 9876 5400', '0412 345 678'],
      [
        { raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: false },
        { raw: '02 9876 5400', e164: '+61298765400', type: 'work', primary: false },
        MOBILE,
      ],
    ],
    [
      'a generic number is typed by libphonenumber',
      ['First', 'Last', 'Phone', 'Other Phone'],
      ['Jane', 'Citizen', '02 9876 5432', '0412 345 678'],
      [{ raw: '02 9876 5432', e164: '+61298765432', type: 'other', primary: false }, MOBILE],
    ],
    [
      'without a mobile the first number is primary',
      ['First', 'Last', 'Work Phone', 'Home Phone'],
      ['Jane', 'Citizen', '02 9876 5400', '02 9876 5432'],
      [
        { raw: '02 9876 5400', e164: '+61298765400', type: 'work', primary: true },
        { raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: false },
      ],
    ],
    [
      'a fax is primary only when it is the only number',
      ['First', 'Last', 'Fax', 'Phone'],
      ['Jane', 'Citizen', '02 9876 5433', '02 9876 5432'],
      [
        { raw: '02 9876 5433', e164: '+61298765433', type: 'fax', primary: false },
        { raw: '02 9876 5432', e164: '+61298765432', type: 'other', primary: true },
      ],
    ],
    ['a lone fax', ['First', 'Last', 'Fax'], ['Jane', 'Citizen', '02 9876 5433'], [{ raw: '02 9876 5433', e164: '+61298765433', type: 'fax', primary: true }]],
    [
      'a + means international whatever the default country',
      ['First', 'Last', 'Phone'],
      ['Jane', 'Citizen', '+44 20 7946 0958'],
      [{ raw: '+44 20 7946 0958', e164: '+442079460958', type: 'other', primary: true }],
    ],
    [
      'a formula-safe apostrophe',
      ['First', 'Last', 'Mobile'],
      ['Jane', 'Citizen', "'+61412345678"],
      [{ raw: '+61412345678', e164: '+61412345678', type: 'mobile', primary: true }],
    ],
    [
      'Google labels type the number',
      ['First Name', 'Last Name', 'Phone 1 - Label', 'Phone 1 - Value', 'Phone 2 - Label', 'Phone 2 - Value'],
      ['Jane', 'Citizen', 'Work', '0412 345 678', '* Mobile', '0412 345 679'],
      [
        { raw: '0412 345 678', e164: '+61412345678', type: 'work', primary: false },
        { raw: '0412 345 679', e164: '+61412345679', type: 'mobile', primary: true },
      ],
    ],
    [
      'a Google label marked "* " makes its number the primary, before the mobile',
      ['First Name', 'Last Name', 'Phone 1 - Label', 'Phone 1 - Value', 'Phone 2 - Label', 'Phone 2 - Value'],
      ['Jane', 'Citizen', 'Mobile', '0412 345 678', '* Home', '02 9876 5432'],
      [
        { raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: false },
        { raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: true },
      ],
    ],
    [
      'a mobile number labelled Other is the primary before a work landline',
      ['First Name', 'Last Name', 'Phone 1 - Label', 'Phone 1 - Value', 'Phone 2 - Label', 'Phone 2 - Value'],
      ['Jane', 'Citizen', 'Work', '02 9876 5432', 'Other', '0412 345 678'],
      [
        { raw: '02 9876 5432', e164: '+61298765432', type: 'work', primary: false },
        { raw: '0412 345 678', e164: '+61412345678', type: 'other', primary: true },
      ],
    ],
    [
      'a Google "Other" label keeps a mobile number other',
      ['First Name', 'Last Name', 'Phone 1 - Label', 'Phone 1 - Value'],
      ['Jane', 'Citizen', 'Other', '0412 345 678'],
      [{ raw: '0412 345 678', e164: '+61412345678', type: 'other', primary: true }],
    ],
    [
      'a Google "Main" label leaves the type to the number',
      ['First Name', 'Last Name', 'Phone 1 - Label', 'Phone 1 - Value'],
      ['Jane', 'Citizen', 'Main', '0412 345 678'],
      [MOBILE],
    ],
    [
      'several numbers in one Google cell',
      ['First Name', 'Last Name', 'Phone 1 - Label', 'Phone 1 - Value'],
      ['Jane', 'Citizen', 'Home', '02 9876 5432 ::: 02 9876 5431'],
      [
        { raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: true },
        { raw: '02 9876 5431', e164: '+61298765431', type: 'home', primary: false },
      ],
    ],
    [
      'several numbers in one cell, with a slash, a semicolon or a comma between them',
      ['First', 'Last', 'Phone', 'Home Phone'],
      ['Jane', 'Citizen', '0412 345 678 / 02 9876 5432', '02 9876 5431;02 9876 5430, 02 9876 5439'],
      [
        { raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
        { raw: '02 9876 5432', e164: '+61298765432', type: 'other', primary: false },
        { raw: '02 9876 5431', e164: '+61298765431', type: 'home', primary: false },
        { raw: '02 9876 5430', e164: '+61298765430', type: 'home', primary: false },
        { raw: '02 9876 5439', e164: '+61298765439', type: 'home', primary: false },
      ],
    ],
    [
      'labels before the numbers, as QuickBooks writes its contact list',
      ['Customer', 'Phone Numbers'],
      ['Jane Citizen', 'Phone: (02) 9876 5432 Mobile: 0412 345 678'],
      [
        { raw: '(02) 9876 5432', e164: '+61298765432', type: 'other', primary: false },
        { raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
      ],
    ],
    [
      'a label before each number, with a slash between, over the kind of the column',
      ['First', 'Last', 'Mobile'],
      ['Jane', 'Citizen', 'M: 0412 345 678 / W: 02 9876 5432 / F. 02 9876 5433'],
      [
        { raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
        { raw: '02 9876 5432', e164: '+61298765432', type: 'work', primary: false },
        { raw: '02 9876 5433', e164: '+61298765433', type: 'fax', primary: false },
      ],
    ],
    [
      'labels after the numbers',
      ['First', 'Last', 'Phone'],
      ['Jane', 'Citizen', '02 9876 5432 (home), 0412 345 678 (mob)'],
      [
        { raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: false },
        { raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
      ],
    ],
    [
      'two numbers in one cell, with "or" between them',
      ['First', 'Last', 'Phone'],
      ['Jane', 'Citizen', '0412 888 777 or 02 9876 5432'],
      [
        { raw: '0412 888 777', e164: '+61412888777', type: 'mobile', primary: true },
        { raw: '02 9876 5432', e164: '+61298765432', type: 'other', primary: false },
      ],
    ],
    [
      'two numbers in one cell with only spaces between them, written in groups or not',
      ['First', 'Last', 'Phone', 'Home Phone'],
      ['Jane', 'Citizen', '0412111444 0412111555', '02 9876 5432 02 9876 5431'],
      [
        { raw: '0412111444', e164: '+61412111444', type: 'mobile', primary: true },
        { raw: '0412111555', e164: '+61412111555', type: 'mobile', primary: false },
        { raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: false },
        { raw: '02 9876 5431', e164: '+61298765431', type: 'home', primary: false },
      ],
    ],
    ['one number with its label', ['First', 'Last', 'Phone'], ['Jane', 'Citizen', 'Mob: 0412 345 678'], [MOBILE]],
    [
      'a slash within one number',
      ['First', 'Last', 'Phone'],
      ['Jane', 'Citizen', '030/1234567'],
      [{ raw: '030/1234567', e164: '+49301234567', type: 'other', primary: true }],
      'DE',
    ],
  ])('%s', (_, headers, record, phones, country) => {
    expect(contactOf(build(headers, record, country)).phones).toStrictEqual(phones);
  });
});

describe('buildContact: usable phone or email', () => {
  it.each<[string, string[], string[], Partial<ImportedContact>, RowProblem[]]>([
    [
      'a bad number beside an email',
      ['First', 'Last', 'Mobile', 'Email'],
      ['Jane', 'Citizen', '12345', 'jane@example.com'],
      { phones: [], email: JANE_EMAIL },
      [{ column: 'Mobile', field: 'mobilePhone', message: "phone '12345' is not a valid number for AU; the number was left out" }],
    ],
    [
      'a number among words that are not labels',
      ['First', 'Last', 'Phone', 'Email'],
      ['Jane', 'Citizen', 'ask Bob: 0412 345 678', 'jane@example.com'],
      { phones: [], email: JANE_EMAIL },
      [{ column: 'Phone', field: 'phone', message: "phone 'ask Bob: 0412 345 678' is not a phone number; the number was left out" }],
    ],
    [
      'a date in a phone column',
      ['First', 'Last', 'Phone', 'Email'],
      ['Jane', 'Citizen', '12/03/1985', 'jane@example.com'],
      { phones: [], email: JANE_EMAIL },
      [{ column: 'Phone', field: 'phone', message: "phone '12/03/1985' is not a valid number for AU; the number was left out" }],
    ],
    [
      'a bad number beside a good one',
      ['First', 'Last', 'Mobile', 'Home Phone'],
      ['Jane', 'Citizen', '0412 345 678', '1234'],
      { phones: [MOBILE] },
      [{ column: 'Home Phone', field: 'homePhone', message: "phone '1234' is too short for AU; the number was left out" }],
    ],
    [
      'a remark in brackets in a full name',
      ['Name', 'Mobile'],
      ['Jane Smith (Mum)', '0412 345 678'],
      { firstName: 'Jane', lastName: 'Smith', phones: [MOBILE] },
      [{ column: 'Name', field: 'fullName', message: "'(Mum)' in the name 'Jane Smith (Mum)' was left out of it" }],
    ],
    [
      'a mobile and a landline without its area code in one cell',
      ['First', 'Last', 'Phone'],
      ['Jane', 'Citizen', '0412 345 678 / 9876 5433'],
      { phones: [{ ...MOBILE, type: 'mobile' }] },
      [{ column: 'Phone', field: 'phone', message: "phone '9876 5433' is not a valid number for AU; the number was left out" }],
    ],
    [
      'words after a number',
      ['First', 'Last', 'Mobile'],
      ['Jane', 'Citizen', '0412 345 678 after 5pm'],
      { phones: [MOBILE] },
      [{ column: 'Mobile', field: 'mobilePhone', message: `the words after the number in "Mobile" ('after 5pm') were left out` }],
    ],
    [
      'a remark in brackets after a number',
      ['First', 'Last', 'Mobile', 'Email'],
      ['Jane', 'Citizen', '0412 345 678 (after hours)', 'jane@example.com'],
      { phones: [MOBILE], email: JANE_EMAIL },
      [{ column: 'Mobile', field: 'mobilePhone', message: `the words after the number in "Mobile" ('(after hours)') were left out` }],
    ],
    [
      'words after a number with its extension, which it keeps',
      ['First', 'Last', 'Work Phone'],
      ['Jane', 'Citizen', '02 9876 5448 ext 5, mornings only'],
      { phones: [{ raw: '02 9876 5448 ext 5', e164: '+61298765448', type: 'work', primary: true }] },
      [{ column: 'Work Phone', field: 'workPhone', message: `the words after the number in "Work Phone" ('mornings only') were left out` }],
    ],
    [
      'a landline in a Mobile column, which takes no text message',
      ['First', 'Last', 'Mobile'],
      ['Jane', 'Citizen', '02 9876 5432'],
      { phones: [{ raw: '02 9876 5432', e164: '+61298765432', type: 'other', primary: true }] },
      [{ column: 'Mobile', field: 'mobilePhone', message: `phone '02 9876 5432' in "Mobile" is a landline, not a mobile: kept as another number` }],
    ],
    [
      'a mobile and a landline in one Mobile cell',
      ['First', 'Last', 'Mobile'],
      ['Jane', 'Citizen', '0412 345 678 / 02 9876 5432'],
      { phones: [MOBILE, { raw: '02 9876 5432', e164: '+61298765432', type: 'other', primary: false }] },
      [{ column: 'Mobile', field: 'mobilePhone', message: `phone '02 9876 5432' in "Mobile" is a landline, not a mobile: kept as another number` }],
    ],
    [
      'a remark after the first of two numbers',
      ['First', 'Last', 'Mobile'],
      ['Jane', 'Citizen', '0412 345 678 after 5pm / 0412 345 679'],
      { phones: [MOBILE, { raw: '0412 345 679', e164: '+61412345679', type: 'mobile', primary: false }] },
      [{ column: 'Mobile', field: 'mobilePhone', message: `the words after the number in "Mobile" ('after 5pm') were left out` }],
    ],
    [
      'a remark after the second of two numbers',
      ['First', 'Last', 'Mobile'],
      ['Jane', 'Citizen', '0412 345 678 or 0412 345 679 (after hours)'],
      { phones: [MOBILE, { raw: '0412 345 679', e164: '+61412345679', type: 'mobile', primary: false }] },
      [{ column: 'Mobile', field: 'mobilePhone', message: `the words after the number in "Mobile" ('(after hours)') were left out` }],
    ],
    [
      'words after a number that is no valid one',
      ['First', 'Last', 'Mobile', 'Email'],
      ['Jane', 'Citizen', '12345 after 5pm', 'jane@example.com'],
      { phones: [], email: JANE_EMAIL },
      [{ column: 'Mobile', field: 'mobilePhone', message: "phone '12345 after 5pm' is not a phone number; the number was left out" }],
    ],
    [
      'a bad email beside a phone',
      ['First', 'Last', 'Mobile', 'Email'],
      ['Jane', 'Citizen', '0412 345 678', 'jane@'],
      { phones: [MOBILE] },
      [{ column: 'Email', field: 'email', message: "email 'jane@' is not a valid email address: the domain is missing; the email was left out" }],
    ],
    [
      'several emails in one cell, separated by a semicolon',
      ['First Name', 'Last Name', 'Email'],
      ['Jane', 'Citizen', 'jane@example.com; jane@work.example'],
      { email: JANE_EMAIL },
      [{ column: 'Email', field: 'email', message: "the email 'jane@work.example' was left out: a contact has one email" }],
    ],
    [
      'several emails in one cell, separated by commas',
      ['First Name', 'Last Name', 'Email'],
      ['Jane', 'Citizen', 'jane@example.com,jane@work.example, jane@home.example'],
      { email: JANE_EMAIL },
      [
        { column: 'Email', field: 'email', message: "the email 'jane@work.example' was left out: a contact has one email" },
        { column: 'Email', field: 'email', message: "the email 'jane@home.example' was left out: a contact has one email" },
      ],
    ],
    [
      'two emails in one cell, separated by a slash',
      ['First Name', 'Last Name', 'Email'],
      ['Jane', 'Citizen', 'jane@example.com / jane@work.example'],
      { email: JANE_EMAIL },
      [{ column: 'Email', field: 'email', message: "the email 'jane@work.example' was left out: a contact has one email" }],
    ],
    [
      'two emails in one cell, with "or" between them',
      ['First Name', 'Last Name', 'Email'],
      ['Jane', 'Citizen', 'jane@example.com or jane@work.example'],
      { email: JANE_EMAIL },
      [{ column: 'Email', field: 'email', message: "the email 'jane@work.example' was left out: a contact has one email" }],
    ],
    [
      'an address with its name, a comma in the name',
      ['First Name', 'Last Name', 'Email'],
      ['Jane', 'Citizen', 'Citizen, Jane <jane@example.com>'],
      { email: JANE_EMAIL },
      [],
    ],
    [
      'several emails in one Google cell',
      ['First Name', 'Last Name', 'E-mail 1 - Value'],
      ['Jane', 'Citizen', 'jane@example.com ::: jane@work.example'],
      { email: JANE_EMAIL },
      [{ column: 'E-mail 1 - Value', field: 'email', message: "the email 'jane@work.example' was left out: a contact has one email" }],
    ],
  ])('keeps the contact with %s', (_, headers, record, expected, warnings) => {
    const outcome = build(headers, record);
    expect(outcome).toMatchObject({ ok: true, warnings });
    expect(contactOf(outcome)).toMatchObject(expected);
  });

  it('keeps the address as given and lower-cases it for identity', () => {
    const outcome = build(['First', 'Last', 'Email'], ['Jane', 'Citizen', "'Jane.Citizen@Example.COM"]);
    expect(outcome).toStrictEqual({
      ok: true,
      contact: { ...JANE, email: { address: 'Jane.Citizen@Example.COM', normalized: 'jane.citizen@example.com' } },
      warnings: [],
    });
  });

  it.each<[string, string[], string[], RowProblem[]]>([
    [
      'a bad number and no email column',
      ['First', 'Last', 'Mobile'],
      ['Jane', 'Citizen', '12345'],
      [{ column: 'Mobile', field: 'mobilePhone', message: "phone '12345' is not a valid number for AU and there is no email" }],
    ],
    [
      'a bad number and an empty email',
      ['First', 'Last', 'Mobile', 'Email'],
      ['Jane', 'Citizen', '12345', ''],
      [{ column: 'Mobile', field: 'mobilePhone', message: "phone '12345' is not a valid number for AU and there is no email" }],
    ],
    [
      'two bad numbers',
      ['First', 'Last', 'Mobile', 'Phone'],
      ['Jane', 'Citizen', '12345', '+999 123'],
      [
        { column: 'Mobile', field: 'mobilePhone', message: "phone '12345' is not a valid number for AU and there is no other usable phone or email" },
        { column: 'Phone', field: 'phone', message: "phone '+999 123' has an unknown country code and there is no other usable phone or email" },
      ],
    ],
    [
      'a bad number and a bad email',
      ['First', 'Last', 'Cell', 'Email'],
      ['Jane', 'Citizen', '0412', 'jane.example.com'],
      [
        { column: 'Cell', field: 'mobilePhone', message: "phone '0412' is too short for AU and there is no other usable phone or email" },
        { column: 'Email', field: 'email', message: "email 'jane.example.com' is not a valid email address: the '@' is missing and there is no usable phone" },
      ],
    ],
    [
      'a bad email and no phone',
      ['First', 'Last', 'Email'],
      ['Jane', 'Citizen', 'jane@example'],
      [{ column: 'Email', field: 'email', message: "email 'jane@example' is not a valid email address: the domain 'example' has no dot and there is no phone" }],
    ],
    [
      'empty phone and email cells',
      ['First', 'Last', 'Mobile', 'Email'],
      ['Jane', 'Citizen', ' ', "'"],
      [{ message: 'a contact needs a phone or an email, and there is neither (their columns are empty)' }],
    ],
    [
      'no phone or email column',
      ['First', 'Last', 'Notes'],
      ['Jane', 'Citizen', 'Call after 5'],
      [{ message: 'a contact needs a phone or an email, and there is neither (no column is mapped to email or a phone field)' }],
    ],
    [
      'neither a name nor a number',
      ['Name', 'Mobile'],
      ['Cher', '12345'],
      [
        { column: 'Name', field: 'fullName', message: "last name is missing (the name 'Cher' is one word)" },
        { column: 'Mobile', field: 'mobilePhone', message: "phone '12345' is not a valid number for AU and there is no email" },
      ],
    ],
    // The row is rejected for its name alone; its bad number is not news until the name is fixed.
    [
      'no name but a usable number',
      ['Name', 'Mobile', 'Phone'],
      ['Cher', '0412 345 678', '12345'],
      [{ column: 'Name', field: 'fullName', message: "last name is missing (the name 'Cher' is one word)" }],
    ],
  ])('rejects %s', (_, headers, record, problems) => {
    expect(build(headers, record)).toStrictEqual({ ok: false, problems });
  });

  it('names the default country it read national numbers with', () => {
    expect(build(['First', 'Last', 'Mobile'], ['Jane', 'Citizen', '12345'], 'NZ')).toStrictEqual({
      ok: false,
      problems: [{ column: 'Mobile', field: 'mobilePhone', message: "phone '12345' is not a valid number for NZ and there is no email" }],
    });
  });
});

describe('buildContact: tags', () => {
  it.each<[string, string[]]>([
    ['VIP', ['VIP']],
    ['* myContacts ::: Patients ::: * starred ::: VIP', ['Patients', 'VIP']],
    ['* My Contacts ::: Patients', ['Patients']],
    ['Smith, J referrals ::: VIP; Gold', ['Smith, J referrals', 'VIP; Gold']],
    ['VIP, ::: Gold;', ['VIP', 'Gold']],
    ['Ratio 1:::2, VIP', ['Ratio 1:::2', 'VIP']],
    ['* Friends ::: *starred ::: ⭐', ['Friends', '⭐']],
    ['Referrers;VIP', ['Referrers', 'VIP']],
    ['new patient, physio ; pilates', ['new patient', 'physio', 'pilates']],
    ['VIP, vip ,  Vip', ['VIP']],
    [' , ;; ::: ', []],
    ['', []],
  ])('%j → %j', (cell, tags) => {
    expect(contactOf(build(['First', 'Last', 'Email', 'Tags'], ['Jane', 'Citizen', 'jane@example.com', cell])).tags).toStrictEqual(tags);
  });

  it('gathers tags from several columns, first spelling first', () => {
    const outcome = build(['First', 'Last', 'Email', 'Labels', 'Categories'], ['Jane', 'Citizen', 'jane@example.com', 'Patients ::: vip', 'VIP;Referrers']);
    expect(contactOf(outcome).tags).toStrictEqual(['Patients', 'vip', 'Referrers']);
  });
});

describe('buildContact: cells', () => {
  it('reads missing cells of a short row as empty', () => {
    const outcome = build(['First', 'Last', 'Email', 'Mobile', 'Notes', 'Allergies', 'City'], ['Jane', 'Citizen', 'jane@example.com']);
    expect(outcome).toStrictEqual({ ok: true, contact: { ...JANE, email: JANE_EMAIL }, warnings: [] });
  });

  it('passes over empty cells and placeholders beyond the header in silence', () => {
    const outcome = build(['First', 'Last', 'Email'], ['Jane', 'Citizen', 'jane@example.com', '', ' ', '\u200B', '-', 'N/A']);
    expect(outcome).toStrictEqual({ ok: true, contact: { ...JANE, email: JANE_EMAIL }, warnings: [] });
  });

  it.each<[string, string[], string[], string]>([
    [
      'an unquoted comma in the notes',
      ['First Name', 'Last Name', 'Email', 'Mobile', 'Notes'],
      ['Bob', 'Birch', 'bob@birch.com', '0412 777 001', 'likes tea', ' coffee'],
      "1 cell beyond the header's 5 columns was left out ('coffee'): is there an unquoted comma or delimiter in the row?",
    ],
    [
      'several',
      ['First', 'Last', 'Email'],
      ['Jane', 'Citizen', 'jane@example.com', 'a', '', 'b', 'c', 'd'],
      "4 cells beyond the header's 3 columns were left out ('a', 'b', 'c', …): is there an unquoted comma or delimiter in the row?",
    ],
  ])('imports a row with values beyond the header, warning of them: %s', (_, headers, record, message) => {
    const outcome = build(headers, record);
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && outcome.warnings).toStrictEqual([{ message }]);
  });

  it('names the values beyond the header among the problems of a row that fails', () => {
    expect(build(['First', 'Last', 'Email'], ['Citizen', ' Jane', '', 'jane@example.com'])).toStrictEqual({
      ok: false,
      problems: [
        { message: 'a contact needs a phone or an email, and there is neither (their columns are empty)' },
        { message: "1 cell beyond the header's 3 columns was left out ('jane@example.com'): is there an unquoted comma or delimiter in the row?" },
      ],
    });
  });

  it.each(['-', '--', '—', 'N/A', 'n/a', '#N/A', 'none', 'NULL', 'nil', '.'])('reads %j as an empty cell, in names only as written', (placeholder) => {
    const headers = ['First', 'Middle', 'Last', 'Company', 'Email', 'Mobile', 'Notes', 'Tags', 'City', 'Allergies'];
    const unreachable = build(headers, ['Jane', '', 'Citizen', '', placeholder, placeholder, '', '', '', '']);
    expect(unreachable).toStrictEqual({ ok: false, problems: [{ message: 'a contact needs a phone or an email, and there is neither (their columns are empty)' }] });
    const outcome = build(headers, ['Jane', placeholder, 'Citizen', placeholder, 'jane@example.com', placeholder, placeholder, placeholder, placeholder, placeholder]);
    expect(outcome).toStrictEqual({ ok: true, contact: { ...JANE, email: JANE_EMAIL }, warnings: [] });
    expect(contactOf(build(['First', 'Last', 'Email'], [placeholder, 'Citizen', 'jane@example.com'])).firstName).toBe(placeholder);
  });

  it('keeps a value that only looks like a placeholder: "NA", "TBC", a word holding one', () => {
    const outcome = build(['First', 'Last', 'Email', 'Country', 'Company', 'Notes'], ['Jane', 'Citizen', 'jane@example.com', 'NA', 'TBC', 'None known']);
    expect(contactOf(outcome)).toMatchObject({ businessName: 'TBC', notes: 'None known', contactAddress: { country: 'NA' } });
  });

  it('reads a row saved in decomposed letters (NFD, as macOS apps save them) as the same row composed', () => {
    const headers = ['First Name', 'Last Name', 'Email', 'City'];
    const composedRow = ['Zoë', 'Müller', 'zoë.ng@exemple.fr', 'Orléans'];
    const decomposedRow = composedRow.map((cell) => cell.normalize('NFD'));
    expect(decomposedRow).not.toStrictEqual(composedRow);
    expect(build(headers, decomposedRow)).toStrictEqual(build(headers, composedRow));
    expect(contactOf(build(headers, decomposedRow))).toMatchObject({ firstName: 'Zoë', email: { normalized: 'zoë.ng@exemple.fr' } });
  });

  it('keeps formula-looking cells as text once the protecting apostrophe is gone', () => {
    const outcome = build(['First', 'Last', 'Email', 'Notes', 'Balance', 'Tags'], ['Jane', 'Citizen', 'jane@example.com', "'=SUM(A1)", "'=1+2", "'@risk"]);
    expect(contactOf(outcome)).toMatchObject({ notes: '=SUM(A1)', customFields: { Balance: '=1+2' }, tags: ['@risk'] });
  });

  it.each<[string, string, Record<string, string>]>([
    ['Birthday', '0/0/00', {}],
    ['Anniversary', '0/0/00', {}],
    ['Gender', 'Unspecified', {}],
    ['Priority', 'Normal', {}],
    ['Sensitivity', 'Normal', {}],
    ['Private', 'False', {}],
    ['Birthday', '12/03/1985', { Birthday: '12/03/1985' }],
    ['Gender', 'Female', { Gender: 'Female' }],
    ['Priority', 'High', { Priority: 'High' }],
    ['Private', 'True', { Private: 'True' }],
    // Outlook's value for none only in the column it writes it in.
    ['Status', 'Normal', { Status: 'Normal' }],
    ['Referral Date', '0/0/00', { 'Referral Date': '0/0/00' }],
  ])("reads Outlook's value for none as an empty cell: %s %j", (header, value, customFields) => {
    const outlook = ['First Name', 'Last Name', 'Mobile Phone', 'Car Phone', 'Telex', 'Radio Phone'];
    const contact = contactOf(build([...outlook, header], ['Jane', 'Citizen', '0412 345 678', '', '', '', value]));
    expect(contact.customFields).toStrictEqual(customFields);
  });

  it('keeps non-empty custom cells, under their header', () => {
    const outcome = build(['First', 'Last', 'Email', 'Allergies', 'Medicare No', 'Referrer'], ['Jane', 'Citizen', 'jane@example.com', 'Penicillin', '', 'Dr Who']);
    expect(contactOf(outcome).customFields).toStrictEqual({ Allergies: 'Penicillin', Referrer: 'Dr Who' });
  });

  it('keeps both values of two columns with one header', () => {
    const outcome = build(['First', 'Last', 'Email', 'Other', 'Other'], ['Jane', 'Citizen', 'jane@example.com', 'a', 'b']);
    expect(contactOf(outcome).customFields).toStrictEqual({ Other: 'a; b' });
  });

  it('skips ignored columns', () => {
    const mapping = mapped(['First', 'Last', 'Email', 'Notes'], { Notes: 'ignore' });
    expect(buildContact(['Jane', 'Citizen', 'jane@example.com', 'secret'], mapping, { defaultCountry: 'AU' })).toStrictEqual({
      ok: true,
      contact: { ...JANE, email: JANE_EMAIL },
      warnings: [],
    });
  });

  it.each<[string, string[], Partial<ImportedContact>]>([
    ['lines 2 to 4 in line 2', ['1 Main St', 'Level 3', 'Suite 4', 'Rear'], { contactAddress: { line1: '1 Main St', line2: 'Level 3, Suite 4, Rear' } }],
    ['the lines that have values', ['1 Main St', '', 'Suite 4', ''], { contactAddress: { line1: '1 Main St', line2: 'Suite 4' } }],
    ['no line 2 when lines 2 to 4 are empty', ['1 Main St', '', '', '-'], { contactAddress: { line1: '1 Main St' } }],
  ])("reads Xero's further address lines as line 2: %s", (_, lines, expected) => {
    const headers = ['FirstName', 'LastName', 'EmailAddress', 'SAAddressLine1', 'SAAddressLine2', 'SAAddressLine3', 'SAAddressLine4'];
    const contact = contactOf(build(headers, ['Jane', 'Citizen', 'jane@example.com', ...lines]));
    expect(contact).toMatchObject(expected);
    expect(contact.contactAddress).toStrictEqual(expected.contactAddress);
    expect(contact.customFields).toStrictEqual({});
  });

  it("reads Outlook's second and third street lines as line 2, home and business alike", () => {
    const headers = ['First Name', 'Last Name', 'E-mail Address', 'Home Street', 'Home Street 2', 'Home Street 3', 'Business Street', 'Business Street 2', 'Business Street 3'];
    const contact = contactOf(build(headers, ['Jane', 'Citizen', 'jane@example.com', '1 Main St', 'Unit 2', 'Rear entrance', '9 Quay Rd', '', 'Suite 4']));
    expect(contact.contactAddress).toStrictEqual({ line1: '1 Main St', line2: 'Unit 2, Rear entrance' });
    expect(contact.billingAddress).toStrictEqual({ line1: '9 Quay Rd', line2: 'Suite 4' });
    expect(contact.customFields).toStrictEqual({});
  });

  it('fills only the address parts that have values', () => {
    const outcome = build(
      ['First', 'Last', 'Email', 'Street', 'Suburb', 'Postcode', 'Billing City'],
      ['Jane', 'Citizen', 'jane@example.com', '12 Harbour St', 'Manly', '', 'Sydney'],
    );
    expect(contactOf(outcome)).toMatchObject({
      contactAddress: { line1: '12 Harbour St', city: 'Manly' },
      billingAddress: { city: 'Sydney' },
    });
  });
});

describe('buildContact on real exports', () => {
  function buildFixture(name: string, defaultCountry: string): RowOutcome[] {
    const { headers, records } = readFixture(name);
    const mapping = autoMapColumns(headers, records);
    return records.map((record) => buildContact(record, mapping, { defaultCountry }));
  }

  it('Xero', () => {
    expect(buildFixture('xero-contacts.csv', 'AU')).toStrictEqual([
      {
        ok: true,
        contact: {
          firstName: 'Jane',
          lastName: 'Citizen',
          businessName: 'Citizen Family Dental',
          email: { address: 'Jane.Citizen@Example.com', normalized: 'jane.citizen@example.com' },
          phones: [
            { raw: '02 9876 5432', e164: '+61298765432', type: 'other', primary: false },
            { raw: '02 9876 5433', e164: '+61298765433', type: 'fax', primary: false },
            { raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
            { raw: '02 9876 5400', e164: '+61298765400', type: 'work', primary: false },
          ],
          tags: [],
          customFields: {
            AccountNumber: 'CUST-0042',
            POAttentionTo: 'Accounts',
            BankAccountNumber: '062-000 12345678',
            TaxNumber: '12 345 678 901',
            AccountsReceivableTaxCodeName: 'GST on Income',
            Website: 'https://citizendental.example',
            DueDateSalesDay: '20',
            DueDateSalesTerm: 'OFFOLLOWINGMONTH',
          },
          contactAddress: { line1: '12 Harbour Street', line2: 'Level 3, Suite 4', city: 'Sydney', region: 'NSW', postalCode: '2000', country: 'Australia' },
          billingAddress: { line1: 'PO Box 123', city: 'Sydney', region: 'NSW', postalCode: '2001', country: 'Australia' },
        },
        warnings: [],
      },
      {
        ok: false,
        problems: [
          { column: '*ContactName', field: 'businessName', message: "first and last name are missing (only the business name 'Acme Supplies Pty Ltd' is given)" },
        ],
      },
      {
        // A person Xero knows by the contact name alone: that is the name, not a business's.
        ok: true,
        contact: {
          firstName: 'Tom',
          lastName: 'Nguyen',
          email: { address: 'tom.nguyen@example.com', normalized: 'tom.nguyen@example.com' },
          phones: [{ raw: '0412 777 888', e164: '+61412777888', type: 'mobile', primary: true }],
          tags: [],
          customFields: {},
        },
        warnings: [],
      },
    ]);
  });

  it('QuickBooks Online customers', () => {
    expect(buildFixture('quickbooks-customers.csv', 'US')).toStrictEqual([
      {
        ok: true,
        contact: {
          firstName: 'Amy',
          lastName: 'Nguyen',
          businessName: "Amy's Bird Sanctuary",
          email: { address: 'Birds@Intuit.com', normalized: 'birds@intuit.com' },
          phones: [{ raw: '(650) 555-3311', e164: '+16505553311', type: 'other', primary: true }],
          tags: [],
          notes: 'Note to self',
          customFields: { 'Open Balance': '239.00' },
          contactAddress: { line1: '4581 Finch St.', city: 'Bayshore', region: 'CA', postalCode: '94326', country: 'USA' },
        },
        warnings: [],
      },
      {
        ok: true,
        contact: {
          firstName: 'Bill',
          lastName: 'Lucchini',
          businessName: "Bill's Windsurf Shop",
          phones: [{ raw: '(415) 444-6538', e164: '+14154446538', type: 'other', primary: true }],
          tags: [],
          customFields: { 'Open Balance': '85.00' },
          contactAddress: { line1: '12 Ocean Dr.', city: 'Half Moon Bay', region: 'CA', postalCode: '94213' },
        },
        warnings: [],
      },
    ]);
  });

  it('QuickBooks Online customer contact list', () => {
    expect(buildFixture('quickbooks-customer-contacts.csv', 'US')).toStrictEqual([
      {
        ok: true,
        contact: {
          firstName: 'Kathy',
          middleName: 'Ann',
          lastName: 'Kuplis',
          businessName: 'Kookies by Kathy',
          email: { address: 'qbwebsamplecompany@yahoo.com', normalized: 'qbwebsamplecompany@yahoo.com' },
          phones: [
            { raw: '(650) 555-7896', e164: '+16505557896', type: 'other', primary: false },
            { raw: '(650) 555-2345', e164: '+16505552345', type: 'mobile', primary: true },
          ],
          tags: [],
          customFields: { Name: 'Kookies by Kathy', 'Customer type': 'Retail', Terms: 'Net 30', Title: 'Ms' },
          contactAddress: { line1: '789 Sugar Lane', city: 'Middlefield', region: 'CA', postalCode: '94303' },
          billingAddress: { line1: '789 Sugar Lane', city: 'Middlefield', region: 'CA', postalCode: '94303', country: 'USA' },
        },
        warnings: [],
      },
    ]);
  });

  it('QuickBooks Online Customer Contact List report', () => {
    const [harbour, jane, tom, acme] = buildFixture('quickbooks-customer-contact-list.csv', 'AU');
    // The customer is an organisation, and "Full Name" the person there to contact.
    expect(harbour).toStrictEqual({
      ok: true,
      contact: {
        firstName: 'Kate',
        lastName: 'Wong',
        businessName: 'Harbour Physio',
        email: { address: 'admin@harbourphysio.com.au', normalized: 'admin@harbourphysio.com.au' },
        phones: [{ raw: '02 9000 1111', e164: '+61290001111', type: 'other', primary: true }],
        tags: [],
        customFields: {},
        contactAddress: { line1: '12 Harbour St, Manly NSW 2095' },
        billingAddress: { line1: '12 Harbour St, Manly NSW 2095' },
      },
      warnings: [],
    });
    // A customer who is the person: no business of theirs.
    expect(jane).toMatchObject({ ok: true, contact: { firstName: 'Jane', lastName: 'Citizen', customFields: {} } });
    expect(jane?.ok && jane.contact).not.toHaveProperty('businessName');
    // No full name: the customer's display name is the person's.
    expect(tom).toMatchObject({ ok: true, contact: { firstName: 'Tom', lastName: 'Nguyen', customFields: {} } });
    expect(tom?.ok && tom.contact).not.toHaveProperty('businessName');
    expect(acme).toStrictEqual({
      ok: false,
      problems: [{ column: 'Customer', field: 'businessName', message: "first and last name are missing (only the business name 'Acme Supplies Pty Ltd' is given)" }],
    });
  });

  it('Google Contacts', () => {
    expect(buildFixture('google-contacts.csv', 'AU')).toStrictEqual([
      {
        ok: true,
        contact: {
          firstName: 'Ana',
          middleName: 'Sofia',
          lastName: 'García',
          businessName: 'Bondi Clinic',
          email: { address: 'ana.garcia@example.com', normalized: 'ana.garcia@example.com' },
          phones: [
            { raw: '(02) 9365 1234', e164: '+61293651234', type: 'work', primary: false },
            { raw: '+61 412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
          ],
          tags: ['Patients', 'VIP'],
          notes: 'Prefers SMS',
          customFields: {
            Nickname: 'Sofi',
            'Organization Title': 'Practice manager',
            Birthday: '1985-03-12',
            'E-mail 1 - Label': '* Home',
            'E-mail 2 - Label': 'Work',
            'E-mail 2 - Value': 'ana@bondiclinic.example',
            'Address 1 - Label': 'Home',
            'Address 1 - Formatted': '3 Beach Rd\nBondi NSW 2026\nAU',
          },
          contactAddress: { line1: '3 Beach Rd', line2: 'Unit 5', city: 'Bondi', region: 'NSW', postalCode: '2026', country: 'AU' },
        },
        warnings: [],
      },
      {
        ok: true,
        contact: {
          firstName: 'Tom',
          lastName: 'Baker',
          phones: [
            { raw: '0412 345 679', e164: '+61412345679', type: 'mobile', primary: true },
            { raw: '0412 345 680', e164: '+61412345680', type: 'mobile', primary: false },
          ],
          tags: [],
          customFields: {},
        },
        warnings: [],
      },
    ]);
  });

  it('Google Contacts, older export', () => {
    expect(buildFixture('google-contacts-legacy.csv', 'NZ')).toStrictEqual([
      {
        ok: true,
        contact: {
          firstName: 'Wiremu',
          lastName: 'Tane',
          businessName: 'Tane Builders',
          email: { address: 'wiremu@example.co.nz', normalized: 'wiremu@example.co.nz' },
          phones: [
            { raw: '09 555 1234', e164: '+6495551234', type: 'home', primary: false },
            { raw: '021 123 4567', e164: '+64211234567', type: 'mobile', primary: true },
          ],
          tags: ['Patients'],
          customFields: {
            Name: 'Wiremu Tane',
            'E-mail 1 - Type': '* Home',
            'Address 1 - Type': 'Home',
            'Organization 1 - Type': 'Other',
            'Organization 1 - Title': 'Director',
          },
          contactAddress: { line1: '10 Queen St', city: 'Auckland', postalCode: '1010', country: 'New Zealand' },
        },
        warnings: [],
      },
    ]);
  });

  it('Outlook', () => {
    expect(buildFixture('outlook-contacts.csv', 'GB')).toStrictEqual([
      {
        ok: true,
        contact: {
          firstName: 'Oliver',
          lastName: 'Smith',
          businessName: 'Clifton Surgery',
          email: { address: 'oliver.smith@example.co.uk', normalized: 'oliver.smith@example.co.uk' },
          phones: [
            { raw: '020 7946 0958', e164: '+442079460958', type: 'home', primary: false },
            { raw: '0117 496 0123', e164: '+441174960123', type: 'work', primary: false },
            { raw: '07400 123456', e164: '+447400123456', type: 'mobile', primary: true },
            { raw: '0117 496 0124', e164: '+441174960124', type: 'fax', primary: false },
          ],
          tags: ['Referrers', 'VIP'],
          customFields: {
            Title: 'Dr',
            'E-mail 2 Address': 'o.smith@work.example',
            "Assistant's Phone": '07400 999999',
            'Job Title': 'GP',
          },
          contactAddress: { line1: '22 Baker St', city: 'London', postalCode: 'NW1 6XE', country: 'United Kingdom' },
          billingAddress: { line1: '1 Clifton Down', city: 'Bristol', postalCode: 'BS8 3HT', country: 'United Kingdom' },
        },
        warnings: [],
      },
      {
        // Known only by her second email: it is her email.
        ok: true,
        contact: {
          firstName: 'Priya',
          lastName: 'Patel',
          email: { address: 'priya.patel@work.example', normalized: 'priya.patel@work.example' },
          phones: [],
          tags: ['Referrers'],
          customFields: {},
        },
        warnings: [],
      },
    ]);
  });

  it.each<[string, ImportedContact]>([
    [
      'sheet-first-name-surname.csv',
      {
        firstName: 'Mia',
        lastName: 'Wong',
        email: { address: 'mia@example.com', normalized: 'mia@example.com' },
        phones: [{ raw: '+61412345678', e164: '+61412345678', type: 'mobile', primary: true }],
        tags: ['new patient', 'physio'],
        customFields: {},
      },
    ],
    [
      'sheet-name-phone-email.csv',
      { firstName: 'Lee', lastName: 'Chen', email: { address: 'lee@example.com', normalized: 'lee@example.com' }, phones: [MOBILE], tags: [], customFields: {} },
    ],
    [
      'sheet-given-family-cell.csv',
      {
        firstName: 'Priya',
        lastName: 'Patel',
        email: { address: 'priya@example.com', normalized: 'priya@example.com' },
        phones: [{ raw: '0412 000 111', e164: '+61412000111', type: 'mobile', primary: true }],
        tags: [],
        customFields: {},
      },
    ],
    [
      'sheet-first-last-mobile-number.csv',
      {
        firstName: 'Sam',
        lastName: "O'Brien",
        businessName: 'Harbour Clinic',
        phones: [{ raw: '0412 222 333', e164: '+61412222333', type: 'mobile', primary: true }],
        tags: [],
        customFields: {},
      },
    ],
  ])('%s', (fixture, contact) => {
    expect(buildFixture(fixture, 'AU')).toStrictEqual([{ ok: true, contact, warnings: [] }]);
  });
});

describe('buildContact: a placeholder beside a value in one cell', () => {
  it.each<[string, string, string, Partial<ImportedContact>]>([
    ['an email', 'Email', 'jane@example.com / -', { email: JANE_EMAIL }],
    ['an email', 'Email', 'jane@example.com; N/A', { email: JANE_EMAIL }],
    ['an email', 'Email', 'none or jane@example.com', { email: JANE_EMAIL }],
    ['a number', 'Mobile', 'N/A / 0412 345 678', { phones: [{ ...MOBILE, raw: '0412 345 678' }] }],
    ['a number', 'Mobile', '0412 345 678; -', { phones: [{ ...MOBILE, raw: '0412 345 678' }] }],
    ['a tag', 'Tags', 'VIP; none', { tags: ['VIP'] }],
    ['a tag', 'Tags', 'N/A, Gold', { tags: ['Gold'] }],
  ])('leaves it out of %s: %j', (_, header, cell, expected) => {
    const headers = ['First Name', 'Last Name', header, ...(header === 'Email' ? [] : ['Email'])];
    const record = ['Jane', 'Citizen', cell, ...(header === 'Email' ? [] : ['jane@example.com'])];
    expect(build(headers, record)).toStrictEqual({ ok: true, contact: { ...JANE, email: JANE_EMAIL, ...expected }, warnings: [] });
  });
});
