import { describe, expect, it } from 'vitest';
import { isSingleValued, type MappingTarget } from '../../../domain/import/fields';
import { applyMapping, autoMapColumns, type ColumnMapping, missingFromMapping } from '../../../domain/import/mapping';
import { readFixture } from './read-fixture';

const fixtures = [
  'xero-contacts.csv',
  'quickbooks-customers.csv',
  'quickbooks-customer-contacts.csv',
  'quickbooks-customer-contact-list.csv',
  'google-contacts.csv',
  'google-contacts-legacy.csv',
  'outlook-contacts.csv',
  'sheet-first-name-surname.csv',
  'sheet-name-phone-email.csv',
  'sheet-given-family-cell.csv',
  'sheet-first-last-mobile-number.csv',
];

/** Every header of the file with its field: the known ones as given, every other one kept as `custom:<header>`. */
function expectedFields(headers: readonly string[], known: Record<string, string>): Record<string, string> {
  return Object.fromEntries(headers.map((header) => [header, known[header] ?? `custom:${header}`]));
}

function fieldsOf(mapping: readonly ColumnMapping[]): Record<string, string> {
  return Object.fromEntries(mapping.map((m) => [m.header, m.field]));
}

function mapFixture(name: string): { headers: string[]; mapping: ColumnMapping[] } {
  const { headers, records } = readFixture(name);
  return { headers, mapping: autoMapColumns(headers, records) };
}

describe('autoMapColumns on real export formats', () => {
  it.each<[string, Record<string, string>]>([
    [
      'xero-contacts.csv',
      {
        '*ContactName': 'businessName',
        EmailAddress: 'email',
        FirstName: 'firstName',
        LastName: 'lastName',
        POAddressLine1: 'billingAddress.line1',
        POAddressLine2: 'billingAddress.line2',
        POAddressLine3: 'billingAddress.line2',
        POAddressLine4: 'billingAddress.line2',
        POCity: 'billingAddress.city',
        PORegion: 'billingAddress.region',
        POPostalCode: 'billingAddress.postalCode',
        POCountry: 'billingAddress.country',
        SAAddressLine1: 'contactAddress.line1',
        SAAddressLine2: 'contactAddress.line2',
        SAAddressLine3: 'contactAddress.line2',
        SAAddressLine4: 'contactAddress.line2',
        SACity: 'contactAddress.city',
        SARegion: 'contactAddress.region',
        SAPostalCode: 'contactAddress.postalCode',
        SACountry: 'contactAddress.country',
        PhoneNumber: 'phone',
        FaxNumber: 'fax',
        MobileNumber: 'mobilePhone',
        DDINumber: 'workPhone',
      },
    ],
    [
      'quickbooks-customers.csv',
      {
        Customer: 'fullName',
        Company: 'businessName',
        'Street Address': 'contactAddress.line1',
        City: 'contactAddress.city',
        State: 'contactAddress.region',
        Country: 'contactAddress.country',
        Zip: 'contactAddress.postalCode',
        Phone: 'phone',
        Email: 'email',
        Notes: 'notes',
      },
    ],
    [
      'quickbooks-customer-contacts.csv',
      {
        'Company name': 'businessName',
        Email: 'email',
        Phone: 'phone',
        Mobile: 'mobilePhone',
        Fax: 'fax',
        'Billing address': 'billingAddress.line1',
        'Billing city': 'billingAddress.city',
        'Billing state': 'billingAddress.region',
        'Billing ZIP': 'billingAddress.postalCode',
        'Billing country': 'billingAddress.country',
        'Shipping address': 'contactAddress.line1',
        'Shipping city': 'contactAddress.city',
        'Shipping state': 'contactAddress.region',
        'Shipping ZIP': 'contactAddress.postalCode',
        'Shipping country': 'contactAddress.country',
        'First name': 'firstName',
        'Last name': 'lastName',
        'Middle name': 'middleName',
      },
    ],
    [
      // The "Customer Contact List" report: the customer's display name, and the person to contact at it.
      'quickbooks-customer-contact-list.csv',
      {
        Customer: 'businessName',
        'Phone Numbers': 'phone',
        Email: 'email',
        'Full Name': 'fullName',
        'Billing Address': 'billingAddress.line1',
        'Shipping Address': 'contactAddress.line1',
      },
    ],
    [
      'google-contacts.csv',
      {
        'First Name': 'firstName',
        'Middle Name': 'middleName',
        'Last Name': 'lastName',
        'Organization Name': 'businessName',
        Notes: 'notes',
        Labels: 'tags',
        'E-mail 1 - Value': 'email',
        'Phone 1 - Label': 'ignore',
        'Phone 1 - Value': 'phone',
        'Phone 2 - Label': 'ignore',
        'Phone 2 - Value': 'phone',
        'Address 1 - Street': 'contactAddress.line1',
        'Address 1 - City': 'contactAddress.city',
        'Address 1 - Region': 'contactAddress.region',
        'Address 1 - Postal Code': 'contactAddress.postalCode',
        'Address 1 - Country': 'contactAddress.country',
        'Address 1 - Extended Address': 'contactAddress.line2',
      },
    ],
    [
      'google-contacts-legacy.csv',
      {
        'Given Name': 'firstName',
        'Additional Name': 'middleName',
        'Family Name': 'lastName',
        Notes: 'notes',
        'Group Membership': 'tags',
        'E-mail 1 - Value': 'email',
        'Phone 1 - Type': 'ignore',
        'Phone 1 - Value': 'phone',
        'Phone 2 - Type': 'ignore',
        'Phone 2 - Value': 'phone',
        'Address 1 - Street': 'contactAddress.line1',
        'Address 1 - City': 'contactAddress.city',
        'Address 1 - Region': 'contactAddress.region',
        'Address 1 - Postal Code': 'contactAddress.postalCode',
        'Address 1 - Country': 'contactAddress.country',
        'Address 1 - Extended Address': 'contactAddress.line2',
        'Organization 1 - Name': 'businessName',
      },
    ],
    [
      'outlook-contacts.csv',
      {
        'First Name': 'firstName',
        'Middle Name': 'middleName',
        'Last Name': 'lastName',
        'E-mail Address': 'email',
        'Home Phone': 'homePhone',
        'Home Phone 2': 'homePhone',
        'Business Phone': 'workPhone',
        'Business Phone 2': 'workPhone',
        'Mobile Phone': 'mobilePhone',
        'Car Phone': 'phone',
        'Other Phone': 'phone',
        'Primary Phone': 'phone',
        'Business Fax': 'fax',
        'Home Fax': 'fax',
        'Other Fax': 'fax',
        'Company Main Phone': 'workPhone',
        Callback: 'phone',
        'Radio Phone': 'phone',
        'TTY/TDD Phone': 'phone',
        Company: 'businessName',
        'Business Street': 'billingAddress.line1',
        'Business City': 'billingAddress.city',
        'Business State': 'billingAddress.region',
        'Business Postal Code': 'billingAddress.postalCode',
        'Business Country/Region': 'billingAddress.country',
        'Home Street': 'contactAddress.line1',
        'Home City': 'contactAddress.city',
        'Home State': 'contactAddress.region',
        'Home Postal Code': 'contactAddress.postalCode',
        'Home Country/Region': 'contactAddress.country',
        Notes: 'notes',
        Categories: 'tags',
      },
    ],
    [
      'sheet-first-name-surname.csv',
      { first_name: 'firstName', Surname: 'lastName', 'Email address': 'email', Mobile: 'mobilePhone', Tags: 'tags' },
    ],
    ['sheet-name-phone-email.csv', { Name: 'fullName', Phone: 'phone', 'E-mail': 'email' }],
    ['sheet-given-family-cell.csv', { 'Given name': 'firstName', 'Family name': 'lastName', Cell: 'mobilePhone', Email: 'email' }],
    [
      'sheet-first-last-mobile-number.csv',
      { First: 'firstName', Last: 'lastName', 'Mobile Number': 'mobilePhone', 'Email Address': 'email', Company: 'businessName' },
    ],
  ])('%s', (fixture, known) => {
    const { headers, mapping } = mapFixture(fixture);
    expect(fieldsOf(mapping)).toStrictEqual(expectedFields(headers, known));
    expect(mapping.map((m) => m.column)).toStrictEqual(headers.map((_, index) => index));
  });

  it.each(fixtures)('%s maps no single-valued field twice', (fixture) => {
    const singleValued = mapFixture(fixture).mapping.map((m) => m.field).filter((field) => isSingleValued(field));
    expect(singleValued).toStrictEqual([...new Set(singleValued)]);
  });

  it.each<[string, string, Partial<ColumnMapping>]>([
    [
      'xero-contacts.csv',
      '*ContactName',
      {
        field: 'businessName',
        reason: 'alias of businessName ("*ContactName"), as first and last names come from their own columns, and the name where first and last name are empty',
        spareFor: 'fullName',
      },
    ],
    ['xero-contacts.csv', 'TaxNumber', { reason: 'known column with no contact field: kept as custom field' }],
    ['xero-contacts.csv', 'POAddressLine3', { field: 'billingAddress.line2', reason: 'alias of billingAddress.line2 ("POAddressLine3")' }],
    ['xero-contacts.csv', 'EmailAddress', { reason: 'alias of email ("EmailAddress")' }],
    [
      'outlook-contacts.csv',
      'Birthday',
      { field: 'custom:Birthday', reason: "no known field: kept as custom field, and '0/0/00', Outlook's value for none, read as empty", noValue: '0/0/00' },
    ],
    [
      'quickbooks-customer-contacts.csv',
      'Name',
      {
        field: 'custom:Name',
        reason: 'alias of fullName ("Name"), but first and last names come from their own columns: kept as custom field, and the name where first and last name are empty',
        spareFor: 'fullName',
      },
    ],
    [
      'quickbooks-customer-contact-list.csv',
      'Customer',
      {
        field: 'businessName',
        reason: 'alias of businessName ("Customer"), as fullName already comes from "Full Name", and the name where "Full Name" is empty',
        spareFor: 'fullName',
      },
    ],
    ['google-contacts.csv', 'E-mail 1 - Value', { reason: 'alias of email ("E-mail 1 - Value")' }],
    [
      'google-contacts.csv',
      'E-mail 2 - Value',
      {
        field: 'custom:E-mail 2 - Value',
        reason: 'alias of email ("E-mail 2 - Value"), but email already comes from "E-mail 1 - Value": kept as custom field, and the email where "E-mail 1 - Value" is empty or not an email',
        spareFor: 'email',
      },
    ],
    ['google-contacts.csv', 'E-mail 1 - Value', { field: 'email', labelColumn: 17 }],
    ['google-contacts.csv', 'E-mail 2 - Value', { spareFor: 'email', labelColumn: 19 }],
    ['google-contacts.csv', 'E-mail 2 - Label', { field: 'custom:E-mail 2 - Label' }],
    ['google-contacts.csv', 'Phone 1 - Value', { field: 'phone', labelColumn: 21 }],
    ['google-contacts.csv', 'Phone 1 - Label', { field: 'ignore', reason: 'label of "Phone 1 - Value": types that number' }],
    ['google-contacts.csv', 'Phone 2 - Value', { field: 'phone', labelColumn: 23 }],
    ['google-contacts-legacy.csv', 'Phone 1 - Value', { field: 'phone', labelColumn: 33 }],
    ['google-contacts-legacy.csv', 'Phone 1 - Type', { field: 'ignore', reason: 'label of "Phone 1 - Value": types that number' }],
    [
      'outlook-contacts.csv',
      'E-mail 2 Address',
      { reason: 'alias of email ("E-mail 2 Address"), but email already comes from "E-mail Address": kept as custom field, and the email where "E-mail Address" is empty or not an email' },
    ],
    ['outlook-contacts.csv', "Assistant's Phone", { field: "custom:Assistant's Phone" }],
  ])('%s: %s', (fixture, header, expected) => {
    const { mapping } = mapFixture(fixture);
    expect(mapping.find((m) => m.header === header)).toMatchObject(expected);
  });

  it('pairs a label column only with the phone column of the same number', () => {
    const mapping = autoMapColumns(['Phone 2 - Label', 'Phone 1 - Value', 'Phone 1 - Label', 'Phone 2 - Value'], []);
    expect(mapping).toStrictEqual([
      { column: 0, header: 'Phone 2 - Label', field: 'ignore', reason: 'label of "Phone 2 - Value": types that number' },
      { column: 1, header: 'Phone 1 - Value', field: 'phone', reason: 'alias of phone ("Phone 1 - Value")', labelColumn: 2 },
      { column: 2, header: 'Phone 1 - Label', field: 'ignore', reason: 'label of "Phone 1 - Value": types that number' },
      { column: 3, header: 'Phone 2 - Value', field: 'phone', reason: 'alias of phone ("Phone 2 - Value")', labelColumn: 0 },
    ]);
  });

  it('keeps a label column without its phone column as a custom field', () => {
    expect(autoMapColumns(['Phone 1 - Label'], [])).toStrictEqual([
      { column: 0, header: 'Phone 1 - Label', field: 'custom:Phone 1 - Label', reason: 'no known field: kept as custom field' },
    ]);
  });
});

describe("autoMapColumns on an export's record of its contacts", () => {
  it("reads the id an export wrote, leaves out the status and times, and keeps a Status of the file's own", () => {
    const headers = ['First Name', 'Last Name', 'Switchboard ID', 'Switchboard Status', 'Switchboard Created At', 'Switchboard Updated At', 'Status'];
    const sample = [['Ada', 'Lovelace', '0190a5b2-0000-7000-8000-000000000000', 'active', '2026-12-07T17:00:00.000Z', '2026-12-07T17:00:00.000Z', 'gold']];
    const reason = "Switchboard's own record of the contact, written by an export: not imported";
    expect(fieldsOf(autoMapColumns(headers, sample))).toEqual({
      'First Name': 'firstName',
      'Last Name': 'lastName',
      'Switchboard ID': 'switchboardId',
      'Switchboard Status': 'ignore',
      'Switchboard Created At': 'ignore',
      'Switchboard Updated At': 'ignore',
      Status: 'custom:Status',
    });
    expect(autoMapColumns(headers, sample)[3]?.reason).toBe(reason);
  });
});

describe('autoMapColumns on an error report, corrected and imported again', () => {
  const headers = ['First Name', 'Last Name', 'Mobile', 'Line', 'Error'];

  it("leaves out the line and the error the report added to each row", () => {
    const sample = [['Bob', 'Stone', '0412 345 678', '5', "row 5: phone '12345' is not a valid number for AU and there is no email"]];
    const mapping = autoMapColumns(headers, sample);
    expect(fieldsOf(mapping)).toEqual({ 'First Name': 'firstName', 'Last Name': 'lastName', Mobile: 'mobilePhone', Line: 'ignore', Error: 'ignore' });
    expect(mapping[4]?.reason).toBe('why the error report says the row was refused: not imported');
  });

  it('refuses a header of a mapping that names two columns but for letter case, and takes the one written so', () => {
    const auto = autoMapColumns(['First Name', 'Last Name', 'Email', 'Allergies', 'allergies'], []);
    expect(applyMapping(auto, { ALLERGIES: 'ignore' })).toEqual({
      ok: false,
      errors: ['"ALLERGIES" names no column as written, and "Allergies" and "allergies" but for letter case: write the one meant as the file has it'],
    });
    const applied = applyMapping(auto, { allergies: 'ignore' });
    expect(applied.ok && applied.mapping.map((m) => m.field).slice(3)).toEqual(['custom:Allergies', 'ignore']);
  });

  it('keeps them marked as the report\'s when a mapping or a template saved from such a file leaves them out too', () => {
    const sample = [['Bob', 'Stone', '0412 345 678', '5', 'row 5: …']];
    const applied = applyMapping(autoMapColumns(headers, sample), { Line: 'ignore', Error: 'ignore', Mobile: 'phone' });
    expect(applied.ok && applied.mapping.map((m) => [m.header, m.field, m.reportColumn ?? false])).toEqual([
      ['First Name', 'firstName', false],
      ['Last Name', 'lastName', false],
      ['Mobile', 'phone', false],
      ['Line', 'ignore', true],
      ['Error', 'ignore', true],
    ]);
  });

  it('leaves them out of a file that had Line and Error columns of its own, read back renamed', () => {
    const renamed = ['First Name', 'Last Name', 'Mobile', 'Line', 'Error', 'Line (2)', 'Error (2)'];
    const sample = [['Bob', 'Stone', '0412 345 678', 'A', 'none', '5', 'row 5: …']];
    expect(fieldsOf(autoMapColumns(renamed, sample))).toMatchObject({ Line: 'custom:Line', Error: 'custom:Error', 'Line (2)': 'ignore', 'Error (2)': 'ignore' });
  });

  it.each([
    ['a Line column of words', ['First Name', 'Last Name', 'Mobile', 'Line', 'Error'], ['Bob', 'Stone', '0412 345 678', 'Product A', 'none']],
    ['columns named so elsewhere than last', ['First Name', 'Line', 'Error', 'Last Name', 'Mobile'], ['Bob', '5', 'x', 'Stone', '0412 345 678']],
  ])('keeps %s', (_, fileHeaders, record) => {
    const mapping = fieldsOf(autoMapColumns(fileHeaders, [record]));
    expect(mapping.Line).toBe('custom:Line');
  });
});

describe('autoMapColumns on header spellings', () => {
  it.each<[string, string, string]>([
    ['Email', 'email', 'alias of email ("Email")'],
    ['E_MAIL', 'email', 'alias of email ("E_MAIL")'],
    ['e-mail address*', 'email', 'alias of email ("e-mail address*")'],
    ['  Téléphone ', 'phone', 'alias of phone ("  Téléphone ")'],
    ['Prénom', 'firstName', 'alias of firstName ("Prénom")'],
    ['Nom', 'lastName', 'alias of lastName ("Nom")'],
    ['Phone #', 'phone', 'alias of phone ("Phone #")'],
    ['Phone 3', 'phone', 'alias of phone ("Phone 3")'],
    ['Address 2', 'contactAddress.line2', 'alias of contactAddress.line2 ("Address 2")'],
    ['County', 'contactAddress.region', 'alias of contactAddress.region ("County")'],
    ['ZIP/Postal Code', 'contactAddress.postalCode', 'alias of contactAddress.postalCode ("ZIP/Postal Code")'],
    // Outlook in German, French and Spanish
    ['Mobiltelefon', 'mobilePhone', 'alias of mobilePhone ("Mobiltelefon")'],
    ['Telefon geschäftlich', 'workPhone', 'alias of workPhone ("Telefon geschäftlich")'],
    ['Telefon privat', 'homePhone', 'alias of homePhone ("Telefon privat")'],
    ['Notizen', 'notes', 'alias of notes ("Notizen")'],
    ['Adresse de messagerie', 'email', 'alias of email ("Adresse de messagerie")'],
    ['Tél. mobile', 'mobilePhone', 'alias of mobilePhone ("Tél. mobile")'],
    ['Téléphone bureau', 'workPhone', 'alias of workPhone ("Téléphone bureau")'],
    ['Dirección de correo electrónico', 'email', 'alias of email ("Dirección de correo electrónico")'],
    ['Teléfono móvil', 'mobilePhone', 'alias of mobilePhone ("Teléfono móvil")'],
    ['Teléfono particular', 'homePhone', 'alias of homePhone ("Teléfono particular")'],
    ['Firma', 'businessName', 'alias of businessName ("Firma")'],
    ['Weitere Vornamen', 'middleName', 'alias of middleName ("Weitere Vornamen")'],
    ['Straße geschäftlich', 'billingAddress.line1', 'alias of billingAddress.line1 ("Straße geschäftlich")'],
    ['Postleitzahl geschäftlich', 'billingAddress.postalCode', 'alias of billingAddress.postalCode ("Postleitzahl geschäftlich")'],
    ['Land/Region geschäftlich', 'billingAddress.country', 'alias of billingAddress.country ("Land/Region geschäftlich")'],
    ['Ort privat', 'contactAddress.city', 'alias of contactAddress.city ("Ort privat")'],
    ['Rue (domicile)', 'contactAddress.line1', 'alias of contactAddress.line1 ("Rue (domicile)")'],
    ['Ville (bureau)', 'billingAddress.city', 'alias of billingAddress.city ("Ville (bureau)")'],
    // Sheets made in French, German and Spanish
    ['Adresse', 'contactAddress.line1', 'alias of contactAddress.line1 ("Adresse")'],
    ['Ville', 'contactAddress.city', 'alias of contactAddress.city ("Ville")'],
    ['Société', 'businessName', 'alias of businessName ("Société")'],
    ['PLZ', 'contactAddress.postalCode', 'alias of contactAddress.postalCode ("PLZ")'],
    ['Ciudad', 'contactAddress.city', 'alias of contactAddress.city ("Ciudad")'],
    ['País', 'contactAddress.country', 'alias of contactAddress.country ("País")'],
    ['Patient', 'fullName', 'alias of fullName ("Patient")'],
    ['Client', 'fullName', 'alias of fullName ("Client")'],
    // Near-misses
    ['E-mail Adress', 'email', 'close to "email address" (fuzzy)'],
    ['Mobile No.', 'mobilePhone', 'close to "mobile" (fuzzy)'],
    ['Telephone No', 'phone', 'close to "telephone" (fuzzy)'],
    ['Fax No', 'fax', 'close to "fax" (fuzzy)'],
    ['Frist Name', 'firstName', 'close to "first name" (fuzzy)'],
    ['Surename', 'lastName', 'close to "surname" (fuzzy)'],
    ['Phone Numbr', 'phone', 'close to "phone number" (fuzzy)'],
    ['Adress', 'contactAddress.line1', 'close to "address" (fuzzy)'],
    ['Phone Mobile', 'mobilePhone', 'close to "mobile phone" (fuzzy)'],
    ['Client Email', 'email', 'close to "email" (fuzzy)'],
    ['Patient First Name', 'firstName', 'close to "first name" (fuzzy)'],
    ['Patient Full Name', 'fullName', 'close to "full name" (fuzzy)'],
    // Short forms and other numbers of hand-made sheets
    ['Ph', 'phone', 'close to "phone" (fuzzy)'],
    ['Mobile Ph', 'mobilePhone', 'close to "mobile phone" (fuzzy)'],
    ['Work Tel', 'workPhone', 'close to "work phone" (fuzzy)'],
    ['Bus. Phone', 'workPhone', 'close to "business phone" (fuzzy)'],
    ['Email Addr', 'email', 'close to "email address" (fuzzy)'],
    ['Alt Phone', 'phone', 'close to "phone" (fuzzy)'],
    ['Secondary Mobile', 'mobilePhone', 'close to "mobile" (fuzzy)'],
    ['Alternative Email', 'email', 'close to "email" (fuzzy)'],
    ['Home', 'homePhone', 'alias of homePhone ("Home")'],
    ['Work', 'workPhone', 'alias of workPhone ("Work")'],
    // Look-alikes that are something else
    ['Company Number', 'custom:Company Number', 'no known field: kept as custom field'],
    ['Tax Number', 'custom:Tax Number', 'known column with no contact field: kept as custom field'],
    ['Tax No', 'custom:Tax No', 'no known field: kept as custom field'],
    ['Nickname', 'custom:Nickname', 'no known field: kept as custom field'],
    ['Stage', 'custom:Stage', 'no known field: kept as custom field'],
    ['Preferred Name', 'custom:Preferred Name', 'no known field: kept as custom field'],
    ['custom:Street', 'custom:Street', 'named as a custom field'],
    ['Custom: Home', 'custom:Home', 'named as a custom field'],
    ['Emergency Contact Phone', 'custom:Emergency Contact Phone', 'someone else\'s ("emergency"), not the contact\'s: kept as custom field'],
    ["Assistant's Phone", "custom:Assistant's Phone", 'someone else\'s ("assistant"), not the contact\'s: kept as custom field'],
    ['Other Name', 'custom:Other Name', 'no known field: kept as custom field'],
    ['Email No', 'custom:Email No', 'no known field: kept as custom field'],
    ['Other City', 'custom:Other City', 'no known field: kept as custom field'],
    ['Maiden Name', 'custom:Maiden Name', 'no known field: kept as custom field'],
    ['Home Street 3', 'contactAddress.line2', 'alias of contactAddress.line2 ("Home Street 3")'],
    ['Business Street 3', 'billingAddress.line2', 'alias of billingAddress.line2 ("Business Street 3")'],
    ['Other Street 3', 'custom:Other Street 3', 'no known field: kept as custom field'],
    ['Customer ID', 'custom:Customer ID', 'no known field: kept as custom field'],
    ['Customer No', 'custom:Customer No', 'no known field: kept as custom field'],
    ['Customer #', 'custom:Customer #', 'no known field: kept as custom field'],
    // Square's and Shopify's customer exports
    ['Street Address 2', 'contactAddress.line2', 'alias of contactAddress.line2 ("Street Address 2")'],
    ['Default Address Address1', 'contactAddress.line1', 'alias of contactAddress.line1 ("Default Address Address1")'],
    ['Default Address Province Code', 'contactAddress.region', 'alias of contactAddress.region ("Default Address Province Code")'],
    ['Default Address Zip', 'contactAddress.postalCode', 'alias of contactAddress.postalCode ("Default Address Zip")'],
    ['Default Address Phone', 'phone', 'alias of phone ("Default Address Phone")'],
  ])('%j → %s', (header, field, reason) => {
    expect(autoMapColumns([header], [])).toStrictEqual([{ column: 0, header, field, reason }]);
  });
});

describe('autoMapColumns checks headers against the values', () => {
  it.each<[string, string[], string[], string[]]>([
    ['a "Name" column of email addresses becomes the email', ['Name', 'Mobile'], ['jo@example.com', 'ann@example.com'], ['email', 'mobilePhone']],
    ['…or a custom field when there is an email column', ['Name', 'Email'], ['jo@example.com', 'ann@example.com'], ['custom:Name', 'email']],
    ['an unknown header over email addresses becomes the email', ['Contact', 'Phone'], ['jo@example.com', 'ann@example.com'], ['email', 'phone']],
    ['an "Email" column of phone numbers becomes a phone', ['Email', 'Name'], ['0412 345 678', '+61 2 9876 5432'], ['phone', 'fullName']],
    ['a "Mobile" column of email addresses becomes the email', ['Mobile'], ['jo@example.com', 'ann@example.com'], ['email']],
    ['a name column of phone numbers becomes a phone', ['Last Name', 'First Name'], ['0412 345 678', '0412 345 679'], ['phone', 'firstName']],
    ['an unknown header over phone numbers stays custom (account and tax numbers look alike)', ['Account'], ['0412 345 678', '0412 345 679'], ['custom:Account']],
    ['a customer ID of digits stays custom, never a phone or the name', ['Customer ID', 'Email'], ['7283948273561', '7283948273562'], ['custom:Customer ID', 'email']],
    ['a customer number of digits stays custom too', ['Customer #', 'Email'], ['412345678', '412345679'], ['custom:Customer #', 'email']],
    ['an "Email" column with no address in it is kept as custom', ['Email'], ['yes', 'no'], ['custom:Email']],
    ['a "Phone" column with no number in it is kept as custom', ['Phone'], ['n/a', 'ask'], ['custom:Phone']],
    ['a phone column of dates is kept as custom', ['Phone'], ['1985-03-12', '12.05.1990'], ['custom:Phone']],
    ['a phone column of dates written with slashes is kept as custom', ['Phone'], ['12/03/1985', '1/5/1990'], ['custom:Phone']],
    [
      'a phone column of several labelled numbers to a cell keeps its field',
      ['Phone Numbers'],
      ['Phone: (02) 9555 3311 Mobile: 0412 555 311', 'M: 0412 555 312 / W: 02 9876 5432', '0412 555 313 (mob)'],
      ['phone'],
    ],
    ['a phone column of numbers with their extensions written in full keeps its field', ['Phone'], ['02 9876 5448 extension 1234', '02 9876 5449 Extension 12'], ['phone']],
    ['a mobile column of several numbers to a cell keeps its field', ['Mobile'], ['0412 345 678 / 0412 345 679', '0412 345 670; 0412 345 671'], ['mobilePhone']],
    ['a phone column of numbers among other words is kept as custom', ['Phone'], ['ask Bob: 0412 345 678', 'call after 5: 02 9876 5432'], ['custom:Phone']],
    ['a column with some good values keeps its header field', ['Email'], ['jo@example.com', 'unknown', 'none'], ['email']],
    ['an email column of cells holding several addresses keeps its field', ['Email'], ['jo@example.com; jo@work.example', 'ann@example.com, ann@work.example'], ['email']],
    ['an empty column keeps its header field', ['Email'], ['', ''], ['email']],
    ['a "Home" column of phone numbers is the home phone', ['Home'], ['(02) 9876 5432', '02 9876 5433'], ['homePhone']],
    ['a "Home" column of addresses is kept as custom', ['Home'], ['1 Beach Rd, Bondi', '3 Park St'], ['custom:Home']],
    ['a "Work" column of occupations is kept as custom', ['Work'], ['Teacher', 'Nurse'], ['custom:Work']],
  ])('%s', (_, headers, columnValues, fields) => {
    const sample = columnValues.map((value) => [value, ...headers.slice(1).map(() => '')]);
    expect(autoMapColumns(headers, sample).map((m) => m.field)).toStrictEqual(fields);
    // Told the business's country, as an import is: the same, none of these being a column of no known header whose
    // values are valid phone numbers.
    expect(autoMapColumns(headers, sample, { defaultCountry: 'AU' }).map((m) => m.field)).toStrictEqual(fields);
  });

  it('explains a correction by the values', () => {
    expect(autoMapColumns(['Name'], [['jo@example.com'], ["'ann@example.com"]])).toStrictEqual([
      { column: 0, header: 'Name', field: 'email', reason: 'values look like email addresses' },
    ]);
    expect(autoMapColumns(['Email', 'Name'], [['', 'jo@example.com']])[1]).toStrictEqual({
      column: 1,
      header: 'Name',
      field: 'custom:Name',
      reason: 'values look like email addresses, but email already comes from "Email": kept as custom field, and the email where "Email" is empty or not an email',
      spareFor: 'email',
    });
    expect(autoMapColumns(['Phone'], [['n/a']])).toStrictEqual([
      {
        column: 0,
        header: 'Phone',
        field: 'custom:Phone',
        reason: 'alias of phone ("Phone"), but the values do not look like phone numbers: kept as custom field',
      },
    ]);
    // Numbers too short to be any are kept as a custom field (extensions, say); in an error report they are the phone
    // column's mistakes, refused row by row as such again.
    expect(autoMapColumns(['Mobile'], [['12345'], ['204']])[0]?.field).toBe('custom:Mobile');
    const report = autoMapColumns(['Mobile', 'Line', 'Error'], [['12345', '5', 'row 5: …'], ['0412', '6', 'row 6: …']]);
    expect(report[0]).toStrictEqual({ column: 0, header: 'Mobile', field: 'mobilePhone', reason: 'alias of mobilePhone ("Mobile")' });
  });
});

describe("autoMapColumns: Switchboard's own export", () => {
  const headers = ['Switchboard ID', 'First Name', 'Last Name', 'Company', 'Email', 'Tags'];
  const sample = [
    ['0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', 'Rex', 'Ng', 'rex.billing@rexco.example', '', 'acct'],
    ['1b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', 'Sue', 'Ho', 'sue.billing@sueco.example', 'sue@example.com', 'acct'],
  ];
  it('reads its columns by their headers, whatever their values look like', () => {
    expect(autoMapColumns(headers, sample).map((m) => m.field)).toEqual(['switchboardId', 'firstName', 'lastName', 'businessName', 'email', 'tags']);
  });
  it('checks the values of the same columns in a file that is no export of it', () => {
    expect(autoMapColumns(headers.slice(1), sample.map((record) => record.slice(1)))[2]?.field).toBe('custom:Company');
  });
});

describe('autoMapColumns: phone columns of sheets made by hand', () => {
  it.each([
    ['Contact No.', 'phone'],
    ['SMS Number', 'mobilePhone'],
    ['Mobile/Cell', 'mobilePhone'],
    ['Best contact number', 'phone'],
    ['Preferred Phone', 'phone'],
    ['Téléphone portable', 'mobilePhone'],
    ['Téléphone', 'phone'],
    ['Telefon', 'phone'],
    ['Handy', 'mobilePhone'],
    ['Ph', 'phone'],
    ['Tel.', 'phone'],
    ['Cell #', 'mobilePhone'],
  ])('%j is a phone column by its header', (header, field) => {
    expect(autoMapColumns([header], [['0412 345 678'], ['0412 345 679']]).map((m) => m.field)).toStrictEqual([field]);
  });

  const mobiles = ['0412 345 678', '0412 345 679', '(02) 9876 5432', '+61 412 345 680', '412345681', '', '0412 345 682', '0412 345 683', '0412 345 684', '0412 345 685'];
  const mapOne = (header: string, values: readonly string[], defaultCountry = 'AU') =>
    autoMapColumns(['First Name', 'Last Name', 'Mobile', header], values.map((value) => ['Jane', 'Citizen', '0412 000 001', value]), { defaultCountry })[3];

  it('keeps a name column of ids, which read as numbers without their 0, a name column', () => {
    const ids = ['298700001', '298700002', '298700003'];
    const mapping = autoMapColumns(['Customer', 'Email'], ids.map((id, i) => [id, `c${i}@example.com`]), { defaultCountry: 'AU' });
    expect(mapping[0]).toMatchObject({ field: 'fullName', reason: 'alias of fullName ("Customer")' });
  });

  it('maps a column of no known header whose values are nearly all valid numbers for the country as a second phone', () => {
    expect(mapOne('WhatsApp', mobiles)).toStrictEqual({ column: 3, header: 'WhatsApp', field: 'phone', reason: 'values are phone numbers valid in AU (9 of 9 sampled)' });
    expect(mapOne('Reach me on', [...mobiles, 'ask reception'])).toMatchObject({ field: 'phone', reason: 'values are phone numbers valid in AU (9 of 10 sampled)' });
    expect(mapOne('WhatsApp', ['-', 'N/A', '0412 345 678'])).toMatchObject({ field: 'phone', reason: 'values are phone numbers valid in AU (1 of 1 sampled)' });
  });

  it.each<[string, string, readonly string[], string]>([
    ['national numbers of another country', 'WhatsApp', ['0412 345 678', '0412 345 679'], 'US'],
    ['some values that are no number', 'WhatsApp', [...mobiles.slice(0, 7), 'ask', 'after 5pm'], 'AU'],
    ['an identifier', 'Patient ID', ['12345', '12346'], 'AU'],
    ['an identifier written like numbers', 'Ref', ['412345678', '412345679'], 'AU'],
    ['a number of a Medicare card', 'Medicare', ['2123 45670 1', '2123 45671 1'], 'AU'],
    ['an account, whatever its values', 'Account', ['0412 345 678', '0412 345 679'], 'AU'],
    ['a number of digits too few', 'Room', ['12', '14'], 'AU'],
    // Valid AU numbers without their 0, but digits alone: a record number.
    ['ids that read as numbers without their 0', 'Legacy', ['298700001', '298700002', '398700003'], 'AU'],
    ['ids under a word of ids', 'Claim', ['0298 700 001', '0298 700 002'], 'AU'],
  ])('keeps as a custom field a column of %s', (_, header, values, defaultCountry) => {
    expect(mapOne(header, values, defaultCountry)?.field).toBe(`custom:${header}`);
  });
});

describe("autoMapColumns keeps someone else's details apart from the contact's", () => {
  it.each<[string, string[], string[]]>([
    [
      "a guardian's email, which would merge a parent's children into one contact",
      ['First Name', 'Last Name', 'Email', 'Mobile', 'Guardian Name', 'Guardian Email'],
      ['firstName', 'lastName', 'email', 'mobilePhone', 'custom:Guardian Name', 'custom:Guardian Email'],
    ],
    [
      'an emergency contact and a referring doctor beside a patient named in one column',
      ['Patient Name', 'Emergency Contact Name', 'Emergency Contact Phone', "Referring Doctor's Email", 'Next of Kin Mobile', 'Phone'],
      ['fullName', 'custom:Emergency Contact Name', 'custom:Emergency Contact Phone', "custom:Referring Doctor's Email", 'custom:Next of Kin Mobile', 'phone'],
    ],
    [
      "a referrers' list, whose every name column names the doctor: the doctors are the contacts",
      ['Doctor First Name', 'Doctor Last Name', "Doctor's Email", 'Practice', 'Doctor Phone'],
      ['firstName', 'lastName', 'email', 'custom:Practice', 'phone'],
    ],
    [
      "a vet's list of pets and their owners: the owners are the contacts",
      ['Pet Name', 'Owner First Name', 'Owner Last Name', 'Owner Email', 'Owner Mobile'],
      ['custom:Pet Name', 'firstName', 'lastName', 'email', 'mobilePhone'],
    ],
    [
      "a children's clinic: the children, named in first and last name columns, are the contacts, not their parent",
      ['Child First Name', 'Child Last Name', 'DOB', 'Parent Name', 'Parent Email', 'Parent Mobile'],
      ['firstName', 'lastName', 'custom:DOB', 'custom:Parent Name', 'custom:Parent Email', 'custom:Parent Mobile'],
    ],
    [
      "a parent's column in a file without names",
      ['Email', 'Parent Email'],
      ['email', 'custom:Parent Email'],
    ],
  ])('%s', (_, headers, fields) => {
    expect(autoMapColumns(headers, []).map((m) => m.field)).toStrictEqual(fields);
  });

  it('whatever its values look like, and without making it the spare of the email', () => {
    const mapping = autoMapColumns(['Name', 'Email', 'Mother\'s Email'], [['Ava Brown', '', 'kate@example.com'], ['Leo Brown', '', 'kate@example.com']]);
    expect(mapping[2]).toStrictEqual({
      column: 2,
      header: "Mother's Email",
      field: "custom:Mother's Email",
      reason: 'someone else\'s ("mother"), not the contact\'s: kept as custom field',
    });
  });
});

describe('autoMapColumns keeps single-valued fields single', () => {
  it.each<[string[], string[]]>([
    [['Email', 'Email Address'], ['email', 'custom:Email Address']],
    [['First Name', 'Given Name'], ['firstName', 'custom:Given Name']],
    // An exact alias wins over a fuzzy one even when it comes later.
    [['E-mail Adress', 'Email'], ['custom:E-mail Adress', 'email']],
    [['Phone', 'Telephone', 'Mobile', 'Cell'], ['phone', 'phone', 'mobilePhone', 'mobilePhone']],
    [['Tags', 'Categories'], ['tags', 'tags']],
    [['Name', 'Full Name'], ['fullName', 'custom:Full Name']],
    // Xero's contact name is the organisation only when the person has first and last name columns.
    [['*ContactName', 'EmailAddress'], ['fullName', 'email']],
    [['*ContactName', 'FirstName', 'Company'], ['custom:*ContactName', 'firstName', 'businessName']],
    // A customer's display name may be an organisation's: beside a person's full name it is the business name.
    [['Customer', 'Full Name'], ['businessName', 'fullName']],
    [['Display Name', 'Name'], ['businessName', 'fullName']],
    [['Customer', 'Company', 'Full Name'], ['custom:Customer', 'businessName', 'fullName']],
    [['Customer', 'Company'], ['fullName', 'businessName']],
  ])('%j → %j', (headers, fields) => {
    expect(autoMapColumns(headers, []).map((m) => m.field)).toStrictEqual(fields);
  });
});

describe("autoMapColumns reads Xero's numbers in parts together", () => {
  const headers = ['FirstName', 'LastName', 'PhoneCountryCode', 'PhoneAreaCode', 'PhoneNumber', 'FaxCountryCode', 'FaxAreaCode', 'FaxNumber', 'DDIAreaCode', 'DDINumber'];

  it('gives the number its parts, and reads them with it', () => {
    const mapping = autoMapColumns(headers, []);
    expect(mapping.map((m) => [m.field, m.countryCodeColumn, m.areaCodeColumn])).toStrictEqual([
      ['firstName', undefined, undefined],
      ['lastName', undefined, undefined],
      ['ignore', undefined, undefined],
      ['ignore', undefined, undefined],
      ['phone', 2, 3],
      ['ignore', undefined, undefined],
      ['ignore', undefined, undefined],
      ['fax', 5, 6],
      ['ignore', undefined, undefined],
      ['workPhone', undefined, 8],
    ]);
    expect(mapping[2]?.reason).toBe('country code of "PhoneNumber": read with that number');
    expect(mapping[3]?.reason).toBe('area code of "PhoneNumber": read with that number');
  });

  it('keeps a part as a custom field when its number is mapped to something else, or the part itself is', () => {
    const result = applyMapping(autoMapColumns(headers, []), { PhoneNumber: 'custom:Phone', FaxAreaCode: 'custom:Fax area' });
    expect(result.ok && result.mapping.map((m) => [m.field, m.countryCodeColumn, m.areaCodeColumn])).toStrictEqual([
      ['firstName', undefined, undefined],
      ['lastName', undefined, undefined],
      ['custom:PhoneCountryCode', undefined, undefined],
      ['custom:PhoneAreaCode', undefined, undefined],
      ['custom:Phone', undefined, undefined],
      ['ignore', undefined, undefined],
      ['custom:Fax area', undefined, undefined],
      ['fax', 5, undefined],
      ['ignore', undefined, undefined],
      ['workPhone', undefined, 8],
    ]);
  });
});

describe('autoMapColumns never drops a column', () => {
  it.each<[string, string[][], ColumnMapping]>([
    ['', [['']], { column: 0, header: '', field: 'ignore', reason: 'no header and no values' }],
    ['  ', [[' '], ['\u200B']], { column: 0, header: '  ', field: 'ignore', reason: 'no header and no values' }],
    ['', [['VIP']], { column: 0, header: '', field: 'custom:Column 1', reason: 'no known field: kept as custom field' }],
    ['Favourite colour', [['']], { column: 0, header: 'Favourite colour', field: 'custom:Favourite colour', reason: 'no known field: kept as custom field' }],
  ])('%j with %j', (header, sample, expected) => {
    expect(autoMapColumns([header], sample)).toStrictEqual([expected]);
  });

  it('reads a ragged sample as empty cells', () => {
    expect(autoMapColumns(['Name', '', 'Email'], [['Jo Bloggs']]).map((m) => m.field)).toStrictEqual(['fullName', 'ignore', 'email']);
  });
});

describe('applyMapping', () => {
  const auto = autoMapColumns(['Name', 'Email', 'Cell', 'Phone 1 - Label', 'Phone 1 - Value', 'Notes'], []);

  it('returns the automatic mapping when nothing is given', () => {
    expect(applyMapping(auto, {})).toStrictEqual({ ok: true, mapping: auto });
  });

  it.each<[string, Record<string, string>, Record<string, string>]>([
    ['an exact header', { Cell: 'homePhone' }, { Cell: 'homePhone' }],
    ['a header in another letter case', { cell: 'homePhone' }, { Cell: 'homePhone' }],
    // The file's headers are read trimmed; one typed with the spaces the file has finds its column too.
    ['a header with spaces at its ends', { ' Cell  ': 'homePhone' }, { Cell: 'homePhone' }],
    ['a field name in another letter case', { Cell: 'HOMEPHONE' }, { Cell: 'homePhone' }],
    ['ignore', { Notes: 'ignore' }, { Notes: 'ignore' }],
    ['a custom field', { Notes: 'custom:Allergies' }, { Notes: 'custom:Allergies' }],
    ['an address part', { Notes: 'billingAddress.postalCode' }, { Notes: 'billingAddress.postalCode' }],
    // The automatic holder of a single-valued field gives way.
    ['a single-valued field another column had', { Notes: 'email' }, { Notes: 'email', Email: 'custom:Email' }],
    // A phone column mapped to something else no longer absorbs its label column.
    ['a labelled phone column', { 'Phone 1 - Value': 'custom:Other number' }, { 'Phone 1 - Value': 'custom:Other number', 'Phone 1 - Label': 'custom:Phone 1 - Label' }],
  ])('overrides with %s', (_, explicit, changed) => {
    const result = applyMapping(auto, explicit);
    expect(result.ok && fieldsOf(result.mapping)).toStrictEqual({ ...fieldsOf(auto), ...changed });
  });

  it("reads Outlook's value for none as empty in a column left or mapped as a custom field, and in no other", () => {
    const outlook = autoMapColumns(['First Name', 'Last Name', 'Mobile Phone', 'Car Phone', 'Telex', 'Sensitivity', 'Priority', 'Birthday'], []);
    const noValues = (explicit: Record<string, string>) => {
      const result = applyMapping(outlook, explicit);
      return result.ok && result.mapping.filter((m) => m.noValue !== undefined).map((m) => [m.header, m.field, m.reason]);
    };
    const said = (value: string) => `, and '${value}', Outlook's value for none, read as empty`;
    expect(noValues({ Birthday: 'custom:Date of birth' }) || []).toContainEqual(['Sensitivity', 'custom:Sensitivity', `no known field: kept as custom field${said('Normal')}`]);
    const without = (rows: false | (string | undefined)[][]) => (rows || []).filter(([header]) => header !== 'Sensitivity');
    expect(without(noValues({ Birthday: 'custom:Date of birth' }))).toStrictEqual([
      ['Priority', 'custom:Priority', `no known field: kept as custom field${said('Normal')}`],
      ['Birthday', 'custom:Date of birth', `set by the mapping you gave${said('0/0/00')}`],
    ]);
    expect(without(noValues({ Birthday: 'notes' }))).toStrictEqual([['Priority', 'custom:Priority', `no known field: kept as custom field${said('Normal')}`]]);
  });

  it("reads such values as values in a file that is not Outlook's", () => {
    const sheet = autoMapColumns(['First Name', 'Last Name', 'Email', 'Priority', 'Private', 'Gender'], []);
    expect(sheet.filter((m) => m.noValue !== undefined)).toEqual([]);
  });

  describe('a second email column', () => {
    const twoEmails = autoMapColumns(['Name', 'E-mail Address', 'E-mail 2 Address'], []);
    const second = (mapping: readonly ColumnMapping[]) => mapping.find((m) => m.header === 'E-mail 2 Address');

    it('stays the spare of the email when a template gives it the custom field it had', () => {
      const result = applyMapping(twoEmails, { 'E-mail 2 Address': 'custom:E-mail 2 Address', 'E-mail Address': 'email' });
      expect(result.ok && second(result.mapping)).toStrictEqual({
        column: 2,
        header: 'E-mail 2 Address',
        field: 'custom:E-mail 2 Address',
        reason: 'set by the mapping you gave, and the email where "E-mail Address" is empty or not an email',
        spareFor: 'email',
      });
    });

    it('is a custom field only when the email column is mapped to something else, or it is renamed', () => {
      const ignored = applyMapping(twoEmails, { 'E-mail Address': 'ignore' });
      expect(ignored.ok && second(ignored.mapping)).toStrictEqual({
        column: 2,
        header: 'E-mail 2 Address',
        field: 'custom:E-mail 2 Address',
        reason: 'alias of email ("E-mail 2 Address"), but email already comes from "E-mail Address": kept as custom field',
      });
      const renamed = applyMapping(twoEmails, { 'E-mail 2 Address': 'custom:Work email' });
      expect(renamed.ok && second(renamed.mapping)).toStrictEqual({ column: 2, header: 'E-mail 2 Address', field: 'custom:Work email', reason: 'set by the mapping you gave' });
    });
  });

  it('says which columns were set by hand and why others moved', () => {
    const result = applyMapping(auto, { Notes: 'email', 'Phone 1 - Value': 'notes' });
    expect(result).toStrictEqual({
      ok: true,
      mapping: [
        auto[0],
        { column: 1, header: 'Email', field: 'custom:Email', reason: 'email is set on "Notes" by the mapping you gave: kept as custom field' },
        auto[2],
        { column: 3, header: 'Phone 1 - Label', field: 'custom:Phone 1 - Label', reason: 'no phone column to label: kept as custom field' },
        { column: 4, header: 'Phone 1 - Value', field: 'notes', reason: 'set by the mapping you gave' },
        { column: 5, header: 'Notes', field: 'email', reason: 'set by the mapping you gave' },
      ],
    });
  });

  it('pairs a label with a column mapped to a phone by hand', () => {
    const unpaired = autoMapColumns(['Phone 1 - Label', 'Phone 1 - Value'], [['Mobile', 'n/a']]);
    expect(unpaired.map((m) => m.field)).toStrictEqual(['custom:Phone 1 - Label', 'custom:Phone 1 - Value']);
    const result = applyMapping(unpaired, { 'Phone 1 - Value': 'mobilePhone' });
    expect(result).toStrictEqual({
      ok: true,
      mapping: [
        { column: 0, header: 'Phone 1 - Label', field: 'ignore', reason: 'label of "Phone 1 - Value": types that number' },
        { column: 1, header: 'Phone 1 - Value', field: 'mobilePhone', reason: 'set by the mapping you gave', labelColumn: 0 },
      ],
    });
  });

  it('prefers the exact header over one that differs in letter case', () => {
    const twoCases = autoMapColumns(['notes', 'Notes'], []);
    const result = applyMapping(twoCases, { Notes: 'custom:Clinical' });
    expect(result.ok && result.mapping.map((m) => m.field)).toStrictEqual(['notes', 'custom:Clinical']);
  });

  const fieldList =
    'firstName, middleName, lastName, fullName, businessName, email, phone, mobilePhone, homePhone, workPhone, fax, tags, notes, ' +
    'contactAddress.line1, contactAddress.line2, contactAddress.city, contactAddress.region, contactAddress.postalCode, contactAddress.country, ' +
    'billingAddress.line1, billingAddress.line2, billingAddress.city, billingAddress.region, billingAddress.postalCode, billingAddress.country, ' +
    'switchboardId, custom:<name> or ignore';

  it.each<[string, Record<string, string>, string[]]>([
    [
      'an unknown header',
      { Mobile: 'mobilePhone' },
      ['"Mobile" is not a column of the file; its columns are "Name", "Email", "Cell", "Phone 1 - Label", "Phone 1 - Value", "Notes"'],
    ],
    ['an unknown field', { Cell: 'mobile' }, [`"mobile" (given for "Cell") is not a field; use one of ${fieldList}`]],
    ['a custom field without a name', { Cell: 'custom: ' }, [`"custom: " (given for "Cell") is not a field; use one of ${fieldList}`]],
    [
      'one single-valued field for two columns',
      { Email: 'email', Notes: 'email' },
      ['email is given to "Email" and "Notes", but a contact has one email: map the others to custom:<name> or ignore'],
    ],
    [
      'several mistakes at once',
      { Mobile: 'sms', Cell: 'cell' },
      [
        '"Mobile" is not a column of the file; its columns are "Name", "Email", "Cell", "Phone 1 - Label", "Phone 1 - Value", "Notes"',
        `"sms" (given for "Mobile") is not a field; use one of ${fieldList}`,
        `"cell" (given for "Cell") is not a field; use one of ${fieldList}`,
      ],
    ],
  ])('rejects %s', (_, explicit, errors) => {
    expect(applyMapping(auto, explicit)).toStrictEqual({ ok: false, errors });
  });

  it('allows several columns on one multi-valued field', () => {
    const result = applyMapping(auto, { Email: 'tags', Notes: 'tags', Cell: 'phone', Name: 'phone' });
    expect(result.ok && result.mapping.map((m) => m.field)).toStrictEqual(['phone', 'tags', 'phone', 'ignore', 'phone', 'tags']);
  });
});

describe('missingFromMapping', () => {
  const mapped = (...fields: string[]): ColumnMapping[] =>
    fields.map((field, column) => ({ column, header: `Column ${column + 1}`, field: field as MappingTarget, reason: "given" }));

  it.each<[string, ColumnMapping[], string | undefined]>([
    ['first and last name with an email', mapped('firstName', 'lastName', 'email'), undefined],
    ['a full name with a mobile', mapped('fullName', 'mobilePhone'), undefined],
    ['a full name with a fax only', mapped('fullName', 'fax'), undefined],
    ['a first name without a last name', mapped('firstName', 'email'), "no column holds the contact's name (firstName and lastName, or fullName)"],
    ['only a business name', mapped('businessName', 'phone'), "no column holds the contact's name (firstName and lastName, or fullName)"],
    ['names without any way to reach them', mapped('firstName', 'lastName', 'notes', 'custom:Ref'), 'no column holds an email or a phone number'],
    ['nothing mapped', mapped('custom:Customer Contact List'), "no column holds the contact's name (firstName and lastName, or fullName)"],
  ])('%s', (_label, mapping, missing) => {
    expect(missingFromMapping(mapping)).toBe(missing);
  });
});
