import { describe, expect, it } from 'vitest';
import { type ContactUpdate, type ExistingContact, type ImportedContact, isSameStreet, mergeForUpdate } from '../../../domain/import/rows';

const EXISTING: ExistingContact = {
  firstName: 'Jane',
  middleName: null,
  lastName: 'Citizen',
  businessName: null,
  email: null,
  emailNormalized: null,
  notes: null,
  phones: [{ raw: '0412 345 678', e164: '+61412345678', type: 'mobile', isPrimary: true }],
  tags: ['Patients'],
  customFields: { Allergies: 'Penicillin' },
  contactAddress: null,
  billingAddress: null,
};

const INCOMING: ImportedContact = { firstName: 'Jane', lastName: 'Citizen', phones: [], tags: [], customFields: {} };

const NO_UPDATE: ContactUpdate = {
  changes: { fields: {}, addPhones: [], addTags: [], customFields: {}, contactAddress: {}, billingAddress: {} },
  previous: { fields: {}, customFields: {}, contactAddress: {}, billingAddress: {} },
  warnings: [],
};

/** The expected update: NO_UPDATE with the given parts of changes and previous. */
function update(
  changes: Partial<ContactUpdate['changes']>,
  previous: Partial<ContactUpdate['previous']> = {},
  warnings: ContactUpdate['warnings'] = [],
): ContactUpdate {
  return { changes: { ...NO_UPDATE.changes, ...changes }, previous: { ...NO_UPDATE.previous, ...previous }, warnings };
}

describe('mergeForUpdate', () => {
  it.each<[string, Partial<ExistingContact>, Partial<ImportedContact>, ContactUpdate]>([
    ['a row that adds nothing', {}, {}, NO_UPDATE],
    [
      'a row that marks another number primary, one the contact has not yet',
      {},
      { phones: [{ raw: '02 9876 5432', e164: '+61298765432', type: 'work', primary: true }], markedPrimary: '+61298765432' },
      update(
        { addPhones: [{ raw: '02 9876 5432', e164: '+61298765432', type: 'work', isPrimary: false }], primaryPhone: '+61298765432' },
        { primaryPhone: '+61412345678' },
      ),
    ],
    ['a row that marks the primary the contact has', {}, { phones: [{ raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true }], markedPrimary: '+61412345678' }, NO_UPDATE],
    [
      'a row of empty cells over a full contact',
      {
        middleName: 'Mary',
        businessName: 'Citizen Dental',
        email: 'jane@example.com',
        emailNormalized: 'jane@example.com',
        notes: 'Prefers SMS',
        contactAddress: { line1: '12 Harbour St', line2: null, city: 'Sydney', region: 'NSW', postalCode: '2000', country: 'AU' },
      },
      {},
      NO_UPDATE,
    ],
    [
      'values the contact has with spaces at either end, which the import takes off cells',
      { firstName: 'Jane ', businessName: ' Citizen Dental', customFields: { Allergies: '\tPenicillin', Room: ' 12' } },
      { businessName: 'Citizen Dental', customFields: { Allergies: 'Penicillin', Room: '12' } },
      NO_UPDATE,
    ],
    ['an initial of the names the contact has in full', { middleName: 'Mary' }, { firstName: 'J.', middleName: 'M' }, NO_UPDATE],
    [
      'a full name where the contact has its initial',
      { firstName: 'J', middleName: 'M.' },
      { firstName: 'Jane', middleName: 'Mary' },
      update({ fields: { firstName: 'Jane', middleName: 'Mary' } }, { fields: { firstName: 'J', middleName: 'M.' } }),
    ],
    [
      'an initial of another name',
      {},
      { firstName: 'K.' },
      update({ fields: { firstName: 'K.' } }, { fields: { firstName: 'Jane' } }),
    ],
    [
      'new names',
      { middleName: 'M', businessName: 'Old Name Pty Ltd' },
      { firstName: 'Janet', middleName: 'Mary', lastName: 'Citizen-Smith', businessName: 'Citizen Dental' },
      update(
        { fields: { firstName: 'Janet', middleName: 'Mary', lastName: 'Citizen-Smith', businessName: 'Citizen Dental' } },
        { fields: { firstName: 'Jane', middleName: 'M', lastName: 'Citizen', businessName: 'Old Name Pty Ltd' } },
      ),
    ],
    [
      'a middle and business name where there were none',
      {},
      { middleName: 'Mary', businessName: 'Citizen Dental' },
      update({ fields: { middleName: 'Mary', businessName: 'Citizen Dental' } }, { fields: { middleName: null, businessName: null } }),
    ],
    [
      'an email where there was none',
      {},
      { email: { address: 'Jane@Example.com', normalized: 'jane@example.com' } },
      update(
        { fields: { email: 'Jane@Example.com', emailNormalized: 'jane@example.com' } },
        { fields: { email: null, emailNormalized: null } },
      ),
    ],
    [
      'the same email in another letter case',
      { email: 'jane@example.com', emailNormalized: 'jane@example.com' },
      { email: { address: 'JANE@example.com', normalized: 'jane@example.com' } },
      NO_UPDATE,
    ],
    [
      'a different email',
      { email: 'jane@example.com', emailNormalized: 'jane@example.com' },
      { email: { address: 'jane@work.example', normalized: 'jane@work.example' } },
      update({}, {}, [
        { field: 'email', message: "the email 'jane@work.example' differs from the contact's 'jane@example.com'; the contact keeps its email" },
      ]),
    ],
    [
      'new and known numbers, keeping the primary',
      {},
      {
        phones: [
          { raw: '+61 412 345 678', e164: '+61412345678', type: 'mobile', primary: true },
          { raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: false },
        ],
      },
      update({ addPhones: [{ raw: '02 9876 5432', e164: '+61298765432', type: 'home', isPrimary: false }] }),
    ],
    [
      'a new mobile, which does not take over as primary',
      {},
      { phones: [{ raw: '0412 345 679', e164: '+61412345679', type: 'mobile', primary: true }] },
      update({ addPhones: [{ raw: '0412 345 679', e164: '+61412345679', type: 'mobile', isPrimary: false }] }),
    ],
    [
      'numbers for a contact that had none',
      { phones: [] },
      {
        phones: [
          { raw: '02 9876 5432', e164: '+61298765432', type: 'home', primary: false },
          { raw: '0412 345 679', e164: '+61412345679', type: 'mobile', primary: true },
        ],
      },
      update({
        addPhones: [
          { raw: '02 9876 5432', e164: '+61298765432', type: 'home', isPrimary: false },
          { raw: '0412 345 679', e164: '+61412345679', type: 'mobile', isPrimary: true },
        ],
      }),
    ],
    ['tags, as a union whatever the letter case', {}, { tags: ['patients', 'VIP'] }, update({ addTags: ['VIP'] })],
    [
      'custom fields, the file winning',
      { customFields: { Allergies: 'Penicillin', Referrer: 'Dr Who' } },
      { customFields: { Allergies: 'Latex', Referrer: 'Dr Who', Insurer: 'Medibank' } },
      update({ customFields: { Allergies: 'Latex', Insurer: 'Medibank' } }, { customFields: { Allergies: 'Penicillin', Insurer: null } }),
    ],
    [
      'only the empty parts of an address on the same street',
      { contactAddress: { line1: '12 Harbour St', line2: '', city: null, region: 'NSW', postalCode: null, country: null } },
      {
        contactAddress: { line1: '12 harbour st', line2: 'Level 3', city: 'Sydney', region: 'VIC' },
        billingAddress: { line1: 'PO Box 1', postalCode: '2001' },
      },
      update(
        { contactAddress: { line2: 'Level 3', city: 'Sydney' }, billingAddress: { line1: 'PO Box 1', postalCode: '2001' } },
        { contactAddress: { line2: '', city: null }, billingAddress: { line1: null, postalCode: null } },
      ),
    ],
    [
      'the empty parts of an address the row gives no street of',
      { contactAddress: { line1: '12 Harbour St', line2: null, city: 'Sydney', region: null, postalCode: null, country: null } },
      { contactAddress: { city: 'sydney', postalCode: '2000' } },
      update({ contactAddress: { postalCode: '2000' } }, { contactAddress: { postalCode: null } }),
    ],
    [
      'no part of an address without a street in another town, with a warning',
      { contactAddress: { line1: '12 Harbour St', line2: null, city: 'Sydney', region: null, postalCode: null, country: null } },
      { contactAddress: { city: 'Manly', postalCode: '2095' } },
      {
        ...NO_UPDATE,
        warnings: [{ field: 'contactAddress', message: "the address 'Manly, 2095' has no street and differs from the contact's, '12 Harbour St, Sydney', which it keeps" }],
      },
    ],
    [
      'an address with a street in another town whole, where the stored one has no street',
      { contactAddress: { line1: null, line2: null, city: 'Sydney', region: 'NSW', postalCode: '2000', country: null } },
      { contactAddress: { line1: '5 Main St', city: 'Melbourne', postalCode: '3000' } },
      update(
        { contactAddress: { line1: '5 Main St', line2: '', city: 'Melbourne', region: '', postalCode: '3000', country: '' }, replacedAddresses: ['contactAddress'] },
        { contactAddress: { line1: null, city: 'Sydney', region: 'NSW', postalCode: '2000' } },
        [{ field: 'contactAddress', message: "the address replaces the contact's, 'Sydney, NSW, 2000'" }],
      ),
    ],
    [
      'only the empty parts of an address whose town is written with more after it',
      { contactAddress: { line1: '12 Harbour St', line2: null, city: 'Sydney', region: null, postalCode: '2000', country: null } },
      { contactAddress: { line1: '12 Harbour Street', city: 'Sydney NSW', postalCode: ' 2000', region: 'NSW' } },
      update({ contactAddress: { region: 'NSW' } }, { contactAddress: { region: null } }),
    ],
    [
      'an address on the same street in another town whole (the person has moved)',
      { contactAddress: { line1: '1 Harbour St', line2: null, city: 'Sydney', region: 'NSW', postalCode: '2000', country: 'Australia' } },
      { contactAddress: { line1: '1 Harbour St', city: 'Parramatta', region: 'NSW', postalCode: '2150' } },
      update(
        { contactAddress: { line1: '1 Harbour St', line2: '', city: 'Parramatta', region: 'NSW', postalCode: '2150', country: '' }, replacedAddresses: ['contactAddress'] },
        { contactAddress: { city: 'Sydney', postalCode: '2000', country: 'Australia' } },
        [{ field: 'contactAddress', message: "the address replaces the contact's, '1 Harbour St, Sydney, NSW, 2000, Australia'" }],
      ),
    ],
    [
      'an address on another street whole, with no part of the old one left (the person has moved)',
      { contactAddress: { line1: '1 Main St', line2: 'Unit 4', city: 'Newtown', region: 'NSW', postalCode: null, country: null } },
      { contactAddress: { line1: '9 Ocean Pde', city: 'Manly', region: 'NSW', postalCode: '2095' } },
      update(
        { contactAddress: { line1: '9 Ocean Pde', line2: '', city: 'Manly', region: 'NSW', postalCode: '2095', country: '' }, replacedAddresses: ['contactAddress'] },
        { contactAddress: { line1: '1 Main St', line2: 'Unit 4', city: 'Newtown', postalCode: null } },
        [{ field: 'contactAddress', message: "the address replaces the contact's, '1 Main St, Unit 4, Newtown, NSW'" }],
      ),
    ],
    [
      'only the empty parts of an address on the same street written another way',
      { contactAddress: { line1: '12 Harbour St.', line2: null, city: 'Sydney', region: null, postalCode: null, country: null } },
      { contactAddress: { line1: '12 harbour street', city: 'Sydney', region: 'NSW', postalCode: '2000' } },
      update({ contactAddress: { region: 'NSW', postalCode: '2000' } }, { contactAddress: { region: null, postalCode: null } }),
    ],
    ['notes where there were none', {}, { notes: 'Prefers SMS' }, update({ fields: { notes: 'Prefers SMS' } }, { fields: { notes: null } })],
    [
      'notes beside the contact’s own',
      { notes: 'Allergic to latex' },
      { notes: 'Prefers SMS' },
      update({ fields: { notes: 'Allergic to latex\n\nPrefers SMS' } }, { fields: { notes: 'Allergic to latex' } }),
    ],
    ['notes the contact already has', { notes: 'Allergic to latex\n\nPrefers SMS' }, { notes: 'Prefers SMS' }, NO_UPDATE],
  ])('%s', (_, existing, incoming, expected) => {
    expect(mergeForUpdate({ ...EXISTING, ...existing }, { ...INCOMING, ...incoming })).toStrictEqual(expected);
  });

  it.each<[string, string, string, string, string]>([
    ['Christopher', 'Smith-Jones', 'Chris', 'Smith', 'keeps both names the contact has in full'],
    ['Chris', 'Smith', 'Christopher', 'Smith-Jones', 'takes the fuller names'],
    ['Robert', 'Smith', 'Bob', 'Smith', 'keeps the name a short form stands for'],
    ['José', 'Núñez', 'Jose', 'Nunez', 'keeps the names with their accents'],
  ])('matched by its keys, %s %s and a row of %s %s: %s', (first, last, rowFirst, rowLast) => {
    const existing = { ...EXISTING, firstName: first, lastName: last };
    const incoming = { ...INCOMING, firstName: rowFirst, lastName: rowLast };
    const kept = mergeForUpdate(existing, incoming, { keepFullerNames: true }).changes.fields;
    const fuller = (a: string, b: string) => (a.length >= b.length ? a : b);
    expect([kept.firstName ?? first, kept.lastName ?? last]).toEqual([fuller(first, rowFirst), fuller(last, rowLast)]);
    // A linked record renames the contact as it says.
    const renamed = mergeForUpdate(existing, incoming).changes.fields;
    expect([renamed.firstName ?? first, renamed.lastName ?? last]).toEqual([rowFirst, rowLast]);
  });

  it.each<[string, Partial<ExistingContact>, Partial<ImportedContact>, ContactUpdate['changes']['fields']]>([
    ['keeps names in capitals and small letters over capitals only', { firstName: 'Anna', lastName: 'McAdams', businessName: 'Harbour Physio' }, { firstName: 'ANNA', lastName: 'MCADAMS', businessName: 'HARBOUR PHYSIO' }, {}],
    ['keeps names in capitals and small letters over small letters only', { firstName: 'Carl', middleName: 'Jon', lastName: 'Clark' }, { firstName: 'carl', middleName: 'jon', lastName: 'clark' }, {}],
    ['takes names in capitals and small letters over capitals only', { firstName: 'ANNA', lastName: 'ADAMS' }, { firstName: 'Anna', lastName: 'Adams' }, { firstName: 'Anna', lastName: 'Adams' }],
    ['takes names written in both another way', { firstName: 'Anna', lastName: 'Mcadams' }, { firstName: 'Anna', lastName: 'McAdams' }, { lastName: 'McAdams' }],
  ])('matched by its keys, %s', (_, existing, incoming, expected) => {
    expect(mergeForUpdate({ ...EXISTING, ...existing }, { ...INCOMING, ...incoming }, { keepFullerNames: true }).changes.fields).toEqual(expected);
    // A linked record renames the contact as it says.
    const renamed = mergeForUpdate({ ...EXISTING, ...existing }, { ...INCOMING, ...incoming }).changes.fields;
    expect(renamed.lastName ?? existing.lastName).toBe(incoming.lastName);
  });

  it.each<[string, Partial<ExistingContact>, Partial<ImportedContact>]>([
    ['a household stored before its names were joined', { firstName: 'Jo', middleName: '& Sam', lastName: 'Lee' }, { firstName: 'Jo & Sam', lastName: 'Lee' }],
    ['a double first name stored as first and middle names', { firstName: 'Mary', middleName: 'Ann', lastName: 'Lee' }, { firstName: 'mary  ann', lastName: 'Lee' }],
  ])('takes a first name holding what was stored as the first and middle names, and no middle name besides: %s', (_, existing, incoming) => {
    for (const options of [{ keepFullerNames: true }, {}]) {
      const merged = mergeForUpdate({ ...EXISTING, ...existing }, { ...INCOMING, ...incoming }, options);
      expect(merged.changes.fields).toEqual({ firstName: incoming.firstName, middleName: '' });
      expect(merged.previous.fields).toEqual({ firstName: existing.firstName, middleName: existing.middleName });
    }
  });

  it('keeps a middle name a first name does not hold', () => {
    const merged = mergeForUpdate({ ...EXISTING, firstName: 'Mary', middleName: 'Ann' }, { ...INCOMING, firstName: 'Mary Jane' }, { keepFullerNames: true });
    expect(merged.changes.fields).toEqual({ firstName: 'Mary Jane' });
  });

  it('matched by its keys, takes the accents a row adds to a name', () => {
    const existing = { ...EXISTING, firstName: 'Jose', middleName: 'Angel', lastName: 'Nunez' };
    const incoming = { ...INCOMING, firstName: 'José', middleName: 'Ángel', lastName: 'Núñez' };
    expect(mergeForUpdate(existing, incoming, { keepFullerNames: true }).changes.fields).toEqual({ firstName: 'José', middleName: 'Ángel', lastName: 'Núñez' });
    const accented = { ...EXISTING, firstName: 'José', middleName: 'Ángel', lastName: 'Núñez' };
    const plain = mergeForUpdate(accented, { ...INCOMING, firstName: 'Jose', middleName: 'Angel', lastName: 'Nunez' }, { keepFullerNames: true });
    expect(plain.changes.fields).toEqual({});
  });

  it.each([
    ['12 Harbour St', '12 Harbour Street', true],
    ['3 Main Rd.', '3 main road', true],
    ['Unit 4, 9 Ocean Pde', 'unit 4 9 ocean parade', true],
    ['12 Harbour St', '14 Harbour St', false],
    ['1 Main St', '9 Ocean Pde', false],
  ])('takes %j and %j for the same street: %s', (a, b, same) => {
    expect(isSameStreet(a, b)).toBe(same);
  });

  it('never writes an empty value', () => {
    const blank: ImportedContact = {
      ...INCOMING,
      middleName: '',
      businessName: '',
      notes: '',
      customFields: { Allergies: '' },
      contactAddress: { line1: '' },
    };
    const full: ExistingContact = { ...EXISTING, middleName: 'Mary', businessName: 'Citizen Dental', notes: 'Prefers SMS' };
    expect(mergeForUpdate(full, blank)).toStrictEqual(NO_UPDATE);
  });
});
