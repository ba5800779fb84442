import { describe, expect, it } from 'vitest';
import { keyNamesOfRow, planChunk, refuseKeysOfUsers, splitByPossibleMatch, type StoredContact, type ValidRow } from '../../../domain/import/plan';
import type { ImportedContact } from '../../../domain/import/rows';

function person(first: string, email?: string, ...phones: string[]): ImportedContact {
  return {
    firstName: first,
    lastName: 'Test',
    ...(email && { email: { address: email, normalized: email.toLowerCase() } }),
    phones: phones.map((e164, i) => ({ raw: e164, e164, type: 'mobile', primary: i === 0 })),
    tags: [],
    customFields: {},
  };
}
const row = (line: number, contact: ImportedContact): ValidRow => ({ line, contact, warnings: [] });
function stored(id: string, first: string, email: string | null, phones: string[], status: 'active' | 'archived' = 'active'): StoredContact {
  return {
    id,
    status,
    firstName: first,
    middleName: null,
    lastName: 'Test',
    businessName: null,
    email,
    emailNormalized: email,
    notes: null,
    phones: phones.map((e164, i) => ({ raw: e164, e164, type: 'mobile', isPrimary: i === 0 })),
    tags: [],
    customFields: {},
    contactAddress: null,
    billingAddress: null,
  };
}

describe('planning a chunk', () => {
  it.each([
    {
      name: 'rows of one person, linked through a phone then an email, make one contact',
      rows: [row(2, person('Ada', 'ada@x.com')), row(3, person('Ada', undefined, '+61412000001')), row(4, person('Ada', 'ADA@x.com', '+61412000001'))],
      stored: [],
      onMatch: 'update' as const,
      outcomes: [[2, 'created', 'new:2'], [3, 'updated', 'new:2'], [4, 'skipped', 'new:2']],
      creates: 1,
      updates: 0,
    },
    {
      name: 'a row matching a stored contact updates it',
      rows: [row(2, person('Ada', 'ada@x.com', '+61412000001'))],
      stored: [stored('c1', 'Ada', 'ada@x.com', [])],
      onMatch: 'update' as const,
      outcomes: [[2, 'updated', 'c1']],
      creates: 0,
      updates: 1,
    },
    {
      name: 'a row adding nothing to its match is skipped',
      rows: [row(2, person('Ada', 'ada@x.com'))],
      stored: [stored('c1', 'Ada', 'ada@x.com', [])],
      onMatch: 'update' as const,
      outcomes: [[2, 'skipped', 'c1']],
      creates: 0,
      updates: 0,
    },
    {
      name: 'skip leaves every matching row alone',
      rows: [row(2, person('Ada', 'ada@x.com', '+61412000001')), row(3, person('Bea', 'bea@x.com'))],
      stored: [stored('c1', 'Ada', 'ada@x.com', [])],
      onMatch: 'skip' as const,
      outcomes: [[2, 'skipped', 'c1'], [3, 'created', 'new:3']],
      creates: 1,
      updates: 0,
    },
    {
      name: 'create ignores stored contacts but still merges one person within the file',
      rows: [row(2, person('Ada', 'ada@x.com')), row(3, person('Ada', 'ada@x.com', '+61412000001'))],
      stored: [stored('c1', 'Ada', 'ada@x.com', [])],
      onMatch: 'create' as const,
      outcomes: [[2, 'created', 'new:2'], [3, 'updated', 'new:2']],
      creates: 1,
      updates: 0,
    },
    {
      name: 'an email match wins over a phone match, and an archived contact is matched too',
      rows: [row(2, person('Ada', 'ada@x.com', '+61412000009'))],
      stored: [stored('c1', 'Other', null, ['+61412000009']), stored('c2', 'Ada', 'ada@x.com', [], 'archived')],
      onMatch: 'update' as const,
      outcomes: [[2, 'skipped', 'c2']],
      creates: 0,
      updates: 0,
    },
  ])('$name', ({ rows, stored: existing, onMatch, outcomes, creates, updates }) => {
    const plan = planChunk(rows, existing, { onMatch, uniqueIdentity: true });
    expect(plan.rows.map((r) => [r.line, r.outcome, r.contact])).toEqual(outcomes);
    expect(plan.creates).toHaveLength(creates);
    expect(plan.updates).toHaveLength(updates);
  });

  it('makes a created contact whole from every row of the person', () => {
    const plan = planChunk(
      [row(2, person('Ada', 'ada@x.com')), row(3, { ...person('Ada', 'Ada@X.com', '+61412000001'), tags: ['VIP'], notes: 'hi' })],
      [],
      { onMatch: 'update', uniqueIdentity: true },
    );
    expect(plan.creates).toEqual([
      {
        ref: 'new:2',
        contact: {
          firstName: 'Ada',
          lastName: 'Test',
          email: { address: 'ada@x.com', normalized: 'ada@x.com' },
          phones: [{ raw: '+61412000001', e164: '+61412000001', type: 'mobile', primary: true }],
          tags: ['VIP'],
          notes: 'hi',
          customFields: {},
        },
      },
    ]);
  });

  it('makes one update of rows that reach one stored contact by different keys, each going on from the other', () => {
    const plan = planChunk(
      [row(2, { ...person('Ada', 'ada@x.com'), tags: ['VIP'], notes: 'first visit' }), row(3, { ...person('Ada', undefined, '+61412000001'), tags: ['Gold'], notes: 'second visit' })],
      [{ ...stored('c1', 'Ada', 'ada@x.com', ['+61412000001']), notes: 'old note' }],
      { onMatch: 'update', uniqueIdentity: true },
    );
    expect(plan.rows.map((r) => [r.line, r.outcome, r.contact])).toEqual([[2, 'updated', 'c1'], [3, 'updated', 'c1']]);
    expect(plan.updates).toHaveLength(1);
    const [{ update } = { update: undefined }] = plan.updates;
    expect(update?.changes.addTags).toEqual(['VIP', 'Gold']);
    expect(update?.changes.fields.notes).toBe('old note\n\nfirst visit\n\nsecond visit');
    expect(update?.previous.fields.notes).toBe('old note');
  });

  it('does not give a stored contact a number another stored contact holds, under the unique policy', () => {
    const plan = planChunk([row(2, person('Ada', 'ada@x.com', '+61412000009'))], [stored('c1', 'Ada', 'ada@x.com', []), stored('c2', 'Bob', null, ['+61412000009'])], {
      onMatch: 'update',
      uniqueIdentity: true,
    });
    expect(plan.rows).toEqual([
      { line: 2, outcome: 'skipped', contact: 'c1', warnings: [{ field: 'phone', message: "phone +61412000009 is another contact's, Bob Test's, and was not added" }, { message: 'no new information for the contact', note: true }] },
    ]);
  });

  it('updates the contact a row names, renamed as it says, and matches the rows that name none by their keys', () => {
    const plan = planChunk(
      [
        // Chris's only number, changed in the file: the pin finds her where her keys would not.
        row(2, { ...person('Christine', undefined, '+61412000099'), storedId: 'c1' }),
        row(3, person('Bob', 'bob@x.com')),
        row(4, person('Bob', 'bob@x.com', '+61412000002')),
        row(5, person('Dan', 'dan@x.com')),
      ],
      [stored('c1', 'Chris', null, ['+61412000001']), stored('c2', 'Bob', 'bob@x.com', []), stored('c3', 'Daniel', 'dan@x.com', [])],
      { onMatch: 'update', uniqueIdentity: true, named: new Map([[2, 'c1']]) },
    );
    expect(plan.rows.map((r) => [r.line, r.outcome, r.contact])).toEqual([[2, 'updated', 'c1'], [3, 'skipped', 'c2'], [4, 'updated', 'c2'], [5, 'skipped', 'c3']]);
    expect(plan.creates).toEqual([]);
    const changes = new Map(plan.updates.map((u) => [u.contactId, u.update.changes]));
    expect(changes.get('c1')?.fields).toEqual({ firstName: 'Christine' });
    expect(changes.get('c1')?.addPhones.map((p) => p.e164)).toEqual(['+61412000099']);
    expect(changes.get('c2')?.addPhones.map((p) => p.e164)).toEqual(['+61412000002']);
  });

  it("matches a row by its keys, with a warning, when it is not the contact its id names: an id copied down, or another row's", () => {
    const ada = { ...stored('c1', 'Ada', 'ada@x.com', ['+61412000001']), lastName: 'Lovelace' };
    const bob = { ...stored('c2', 'Bob', 'bob@x.com', ['+61412000002']), lastName: 'Smith' };
    const plan = planChunk(
      [
        row(2, { ...person('Ada', 'ada@x.com', '+61412000001'), lastName: 'Lovelace', storedId: 'c2' }),
        row(3, { ...person('Bob', 'bob@x.com', '+61412000002'), lastName: 'Smith', notes: 'likes tea', storedId: 'c1' }),
        row(4, { ...person('Chris', 'chris@x.com'), lastName: 'Jones', storedId: 'c1' }),
      ],
      [ada, bob],
      { onMatch: 'update', uniqueIdentity: true, named: new Map([[2, 'c2'], [3, 'c1'], [4, 'c1']]) },
    );
    expect(plan.rows.map((r) => [r.line, r.outcome, r.contact])).toEqual([[2, 'skipped', 'c1'], [3, 'updated', 'c2'], [4, 'created', 'new:4']]);
    expect(plan.updates.map((u) => [u.contactId, u.update.changes.fields])).toEqual([['c2', { notes: 'likes tea' }]]);
    expect(plan.rows[0]?.warnings[0]).toEqual({
      field: 'switchboardId',
      message: "Switchboard ID c2 is Bob Smith's, and this row has neither that name nor that contact's email or mobile: it is matched by its own email and phones instead",
    });
    expect(plan.rows[2]?.warnings[0]?.message).toMatch(/^Switchboard ID c1 is Ada Lovelace's/);
  });

  it("takes an id copied onto a family member's row sharing only the home number for the mistake it is", () => {
    const jane: StoredContact = { ...stored('c1', 'Jane', 'jane@x.com', []), lastName: 'Smith', phones: [{ raw: '02 9876 1111', e164: '+61298761111', type: 'home', isPrimary: true }] };
    const tom: ImportedContact = { ...person('Tom', 'tom@x.com'), lastName: 'Smith', phones: [{ raw: '02 9876 1111', e164: '+61298761111', type: 'home', primary: true }], storedId: 'c1' };
    const plan = planChunk([row(2, tom)], [jane], { onMatch: 'update', uniqueIdentity: false, named: new Map([[2, 'c1']]) });
    expect(plan.rows.map((r) => [r.line, r.outcome, r.contact])).toEqual([[2, 'created', 'new:2']]);
    expect(plan.updates).toEqual([]);
    expect(plan.rows[0]?.warnings[0]?.message).toMatch(/^Switchboard ID c1 is Jane Smith's/);
    // Her own row, her first name corrected, renames her: her email is hers.
    const corrected = planChunk([row(2, { ...person('Janet', 'jane@x.com'), lastName: 'Smith', storedId: 'c1' })], [jane], { onMatch: 'update', uniqueIdentity: false, named: new Map([[2, 'c1']]) });
    expect(corrected.updates.map((u) => [u.contactId, u.update.changes.fields.firstName])).toEqual([['c1', 'Janet']]);
  });

  it('lets the later of two rows changing one contact have the last word, whether it names the contact or not', () => {
    const plan = planChunk(
      [row(2, { ...person('Robert', 'bob@x.com') }), row(3, { ...person('Bobby', 'bob@x.com'), storedId: 'c1' })],
      [stored('c1', 'Bob', 'bob@x.com', [])],
      { onMatch: 'update', uniqueIdentity: true, named: new Map([[3, 'c1']]) },
    );
    expect(plan.updates.map((u) => u.update.changes.fields)).toEqual([{ firstName: 'Bobby' }]);
  });

  it("gives a contact without numbers the mobile as primary when the number the row marks is another contact's", () => {
    const ada = person('Ada', 'ada@x.com');
    const row2 = {
      ...ada,
      phones: [
        { raw: '0412 345 678', e164: '+61412345678', type: 'mobile' as const, primary: false },
        { raw: '02 9365 1234', e164: '+61293651234', type: 'work' as const, primary: true },
      ],
      markedPrimary: '+61293651234',
    };
    const plan = planChunk([row(2, row2)], [stored('c1', 'Ada', 'ada@x.com', []), stored('c2', 'Bob', null, ['+61293651234'])], { onMatch: 'update', uniqueIdentity: true });
    const [update] = plan.updates;
    expect(update?.update.changes.addPhones).toEqual([{ raw: '0412 345 678', e164: '+61412345678', type: 'mobile', isPrimary: true }]);
    expect(update?.update.changes).not.toHaveProperty('primaryPhone');
    expect(update?.update.previous).not.toHaveProperty('primaryPhone');
  });

  it.each([
    {
      name: 'a stored contact',
      stored: [stored('c1', 'Ada', 'ada@x.com', [])],
      contact: 'c1',
    },
    { name: 'a contact the chunk creates', stored: [], contact: 'new:2' },
  ])('says which row gave the value a later row of the same person replaces, on the later row: $name', ({ stored: existing, contact }) => {
    const plan = planChunk(
      [
        row(2, { ...person('Ada', 'ada@x.com'), businessName: 'First Co', customFields: { Ref: 'A1', Plan: 'Gold' } }),
        row(3, { ...person('Ada', 'ada@x.com'), businessName: 'First Co', customFields: { Plan: 'Gold' } }),
        row(4, { ...person('Ada', 'ada@x.com'), businessName: 'Second Co', customFields: { Ref: 'B2' } }),
      ],
      existing,
      { onMatch: 'update', uniqueIdentity: true },
    );
    expect(plan.rows.map((r) => [r.line, r.contact, r.warnings.filter((w) => !w.note)])).toEqual([
      [2, contact, []],
      [3, contact, []],
      [
        4,
        contact,
        [
          { field: 'businessName', message: "the business name 'Second Co' replaces 'First Co', which row 2 of the file gave the contact" },
          { field: 'custom:Ref', message: "'B2' in custom field 'Ref' replaces 'A1', which row 2 of the file gave the contact" },
        ],
      ],
    ]);
  });

  it('says which row gave the address a later row of the same person replaces', () => {
    const plan = planChunk(
      [
        row(2, { ...person('Hal', 'hal@x.com'), contactAddress: { line1: '1 Oak St', city: 'Ryde', postalCode: '2112' } }),
        row(3, { ...person('Hal', 'hal@x.com'), contactAddress: { line1: '1 Oak St', city: 'Epping', postalCode: '2121' } }),
      ],
      [{ ...stored('c1', 'Hal', 'hal@x.com', []), contactAddress: { line1: '9 Elm Rd', line2: null, city: 'Ryde', region: null, postalCode: null, country: null } }],
      { onMatch: 'update', uniqueIdentity: true },
    );
    expect(plan.rows.map((r) => [r.line, r.warnings.filter((w) => !w.note)])).toEqual([
      [2, [{ field: 'contactAddress', message: "the address replaces the contact's, '9 Elm Rd, Ryde'" }]],
      [3, [{ field: 'contactAddress', message: "the address replaces the contact's, '1 Oak St, Ryde, 2112', which row 2 of the file gave it" }]],
    ]);
  });

  it('says nothing of a value a row replaces that the contact had before the file', () => {
    const plan = planChunk([row(2, { ...person('Ada', 'ada@x.com'), businessName: 'New Co' })], [{ ...stored('c1', 'Ada', 'ada@x.com', []), businessName: 'Old Co' }], {
      onMatch: 'update',
      uniqueIdentity: true,
    });
    expect(plan.rows[0]?.warnings).toEqual([]);
  });

  it('updates the contact an incomplete row names when it may be that contact, and refuses it otherwise', () => {
    const lacking = [{ message: 'a contact needs a phone or an email, and there is neither (their columns are empty)' }];
    const cher: ImportedContact = { firstName: 'Cher', lastName: '', phones: [], tags: ['VIP'], customFields: {}, storedId: 'c1', incomplete: lacking };
    const stranger: ImportedContact = { ...cher, firstName: 'Bob', storedId: 'c2' };
    const plan = planChunk([row(2, cher), row(3, stranger)], [{ ...stored('c1', 'Cher', null, []), lastName: '' }, stored('c2', 'Ada', 'ada@x.com', [])], {
      onMatch: 'update',
      uniqueIdentity: true,
      named: new Map([[2, 'c1'], [3, 'c2']]),
    });
    expect(plan.rows.map((r) => [r.line, r.outcome, r.contact])).toEqual([[2, 'updated', 'c1']]);
    expect(plan.updates.map((u) => [u.contactId, u.update.changes.addTags, u.update.changes.fields])).toEqual([['c1', ['VIP'], {}]]);
    expect(plan.creates).toEqual([]);
    expect(plan.refused).toEqual([{ line: 3, problems: [expect.objectContaining({ field: 'switchboardId' }), ...lacking] }]);
  });

  it('says a contact it updates is archived, and that it stays so', () => {
    const plan = planChunk([row(2, person('Ada', 'ada@x.com', '+61412000001')), row(3, person('Ada', 'ada@x.com'))], [stored('c1', 'Ada', 'ada@x.com', [], 'archived')], {
      onMatch: 'update',
      uniqueIdentity: true,
    });
    expect(plan.rows.map((r) => [r.line, r.outcome, r.warnings.filter((w) => !w.note)])).toEqual([
      [2, 'updated', [{ message: 'the contact it updates, Ada Test, is archived, and stays archived' }]],
      [3, 'skipped', []],
    ]);
  });

  it('keeps the value from before the first change for undo when two rows change one field', () => {
    const plan = planChunk(
      [row(2, { ...person('Ada', 'ada@x.com'), businessName: 'First Co' }), row(3, { ...person('Ada', 'ada@x.com'), businessName: 'Second Co' })],
      [stored('c1', 'Ada', 'ada@x.com', [])],
      { onMatch: 'update', uniqueIdentity: true },
    );
    expect(plan.updates).toHaveLength(1);
    expect(plan.updates[0]?.update.changes.fields.businessName).toBe('Second Co');
    expect(plan.updates[0]?.update.previous.fields.businessName).toBeNull();
  });
});

describe('people who share an email or phone but not a name', () => {
  const HOME = '+61298761111';
  const outcomesOf = (plan: ReturnType<typeof planChunk>) => plan.rows.map((r) => [r.line, r.outcome, r.contact]);
  const messagesOf = (plan: ReturnType<typeof planChunk>, line: number) => plan.rows.find((r) => r.line === line)?.warnings.map((w) => w.message);

  it.each<[string, ValidRow[], StoredContact[], (string | number)[][]]>([
    ['two rows on one home phone are two contacts', [row(2, person('Ava', 'ava@x.com', HOME)), row(3, person('Leo', 'leo@x.com', HOME))], [], [[2, 'created', 'new:2'], [3, 'created', 'new:3']]],
    ['a row and the stored holder of its phone are two contacts', [row(2, person('Leo', 'leo@x.com', HOME))], [stored('c1', 'Ava', null, [HOME])], [[2, 'created', 'new:2']]],
    ['a short form of the first name is the same person', [row(2, person('Bob', 'bob@x.com', HOME))], [stored('c1', 'Robert', null, [HOME])], [[2, 'updated', 'c1']]],
    ['an initial is the same person', [row(2, person('J.', undefined, HOME)), row(3, person('Jane', 'jane@x.com', HOME))], [], [[2, 'created', 'new:2'], [3, 'updated', 'new:2']]],
    [
      'two people of one first name on a placeholder email are two contacts',
      [row(2, { ...person('John', 'noemail@x.com', '+61412333001'), lastName: 'Smith' }), row(3, { ...person('John', 'noemail@x.com', '+61412333002'), lastName: 'Brown' })],
      [],
      [[2, 'created', 'new:2'], [3, 'created', 'new:3']],
    ],
    [
      'a short form of two people is one of them, not a link between them',
      [
        row(2, { ...person('Christopher', 'smiths@x.com', '+61412000001'), lastName: 'Smith' }),
        row(3, { ...person('Christine', 'smiths@x.com', '+61412000002'), lastName: 'Smith' }),
        row(4, { ...person('Chris', 'smiths@x.com'), lastName: 'Smith' }),
      ],
      [],
      [[2, 'created', 'new:2'], [3, 'created', 'new:3'], [4, 'skipped', 'new:2']],
    ],
    ['a family name within the other is the same person', [row(2, { ...person('Ava', undefined, HOME), lastName: 'Smith-Jones' })], [{ ...stored('c1', 'Ava', null, [HOME]), lastName: 'Smith' }], [[2, 'updated', 'c1']]],
    ['a stored contact without a first name may be anyone', [row(2, person('Leo', 'leo@x.com', HOME))], [stored('c1', '', null, [HOME])], [[2, 'updated', 'c1']]],
    [
      'rows of one person stay one contact beside another person on their phone',
      [row(2, person('Ava', 'ava@x.com', HOME)), row(3, person('Leo', 'leo@x.com', HOME)), row(4, person('Leo', 'LEO@x.com', '+61412000002'))],
      [],
      [[2, 'created', 'new:2'], [3, 'created', 'new:3'], [4, 'updated', 'new:3']],
    ],
  ])('%s', (_, rows, existing, outcomes) => {
    expect(outcomesOf(planChunk(rows, existing, { onMatch: 'update', uniqueIdentity: true }))).toEqual(outcomes);
  });

  it('gives a phone a stored contact gains in the chunk to it alone', () => {
    const plan = planChunk(
      [row(2, person('Ava', 'ava@x.com', HOME)), row(3, person('Leo', 'leo@x.com', HOME))],
      [stored('c1', 'Ava', 'ava@x.com', [])],
      { onMatch: 'update', uniqueIdentity: true },
    );
    expect(outcomesOf(plan)).toEqual([[2, 'updated', 'c1'], [3, 'created', 'new:3']]);
    expect(plan.updates[0]?.update.changes.addPhones.map((p) => p.e164)).toEqual([HOME]);
    expect(plan.creates[0]?.contact.phones).toEqual([]);
    expect(messagesOf(plan, 3)).toEqual([`phone ${HOME} is Ava Test's, a person of another name; it is one contact's in this business: left out`]);
  });

  it("leaves the other person's phone out of the new contact, naming its holder", () => {
    const plan = planChunk([row(2, person('Ava', 'ava@x.com', HOME)), row(3, person('Leo', 'leo@x.com', '+61412000002', HOME))], [], { onMatch: 'update', uniqueIdentity: true });
    const leo = plan.creates.find((c) => c.ref === 'new:3')?.contact;
    expect(leo?.phones.map((p) => [p.e164, p.primary])).toEqual([['+61412000002', true]]);
    expect(leo?.email?.normalized).toBe('leo@x.com');
    expect(messagesOf(plan, 3)).toEqual([`phone ${HOME} is Ava Test's, a person of another name; it is one contact's in this business: left out`]);
  });

  it('refuses the rows of a person whose every email and phone another person holds, and says why', () => {
    const plan = planChunk(
      [row(2, person('Leo', undefined, HOME)), row(3, person('Kate', 'ava@x.com', HOME)), row(4, person('Kate', 'ava@x.com'))],
      [stored('c1', 'Ava', 'ava@x.com', [HOME])],
      { onMatch: 'update', uniqueIdentity: true },
    );
    expect(outcomesOf(plan)).toEqual([]);
    expect(plan.creates).toEqual([]);
    expect(plan.updates).toEqual([]);
    expect(plan.refused).toEqual([
      { line: 2, problems: [{ field: 'phone', message: `Leo Test's only phone, ${HOME}, is Ava Test's, a person of another name; an email or phone is one contact's in this business, so Leo Test needs one of their own` }] },
      ...[3, 4].map((line) => ({
        line,
        problems: [{ field: 'email', message: `Kate Test's emails and phones (ava@x.com, ${HOME}) are Ava Test's, a person of another name; an email or phone is one contact's in this business, so Kate Test needs one of their own` }],
      })),
    ]);
  });

  it('keeps both numbers on both contacts when the business allows duplicates', () => {
    const plan = planChunk([row(2, person('Ava', 'ava@x.com', HOME)), row(3, person('Leo', 'leo@x.com', HOME))], [], { onMatch: 'update', uniqueIdentity: false });
    expect(plan.creates.map((c) => c.contact.phones.map((p) => p.e164))).toEqual([[HOME], [HOME]]);
    expect(messagesOf(plan, 3)).toEqual([]);
  });
});

describe("refusing a user's keys", () => {
  const keysOfUsers = new Set(['email:agent@clinic.example', 'phone:+61499000555']);
  const refusal = (kind: 'email' | 'phone', value: string) => ({
    field: kind,
    message: `${kind} '${value}' belongs to a user of this business (an agent or admin); under its 'unique' identity policy a contact cannot have it`,
  });

  it.each<[string, ImportedContact, ReturnType<typeof refusal>[]]>([
    ['keeps a row holding no user key', person('Ada', 'ada@example.com', '+61412345678'), []],
    ["refuses a row with a user's email, whatever its case", person('Agent', 'Agent@Clinic.example'), [refusal('email', 'agent@clinic.example')]],
    ["refuses a row with a user's phone among others", person('Desk', undefined, '+61412000111', '+61499000555'), [refusal('phone', '+61499000555')]],
    [
      'names every user key a row holds',
      person('Both', 'agent@clinic.example', '+61499000555'),
      [refusal('email', 'agent@clinic.example'), refusal('phone', '+61499000555')],
    ],
  ])('%s', (_, contact, problems) => {
    const result = refuseKeysOfUsers([row(2, contact)], keysOfUsers);
    expect(result.refused.map((r) => r.problems)).toEqual(problems.length > 0 ? [problems] : []);
    expect(result.kept).toHaveLength(problems.length > 0 ? 0 : 1);
  });
});

describe('splitting rows by whether their person may be stored', () => {
  const held = new Set(['email:ada@example.com', 'phone:+61412000111']);
  const writtenSince = new Set(['phone:+61412999000']);
  const linesOf = (rows: ValidRow[]) => rows.map((r) => r.line);
  const keysOf = (rows: ValidRow[]) => rows.map((r) => keyNamesOfRow(r.contact));

  it.each<[string, ImportedContact[], number[]]>([
    ['a row whose email the store held', [person('Ada', 'Ada@Example.com')], [2]],
    ['a row with one held phone among others', [person('Bo', undefined, '+61412777000', '+61412000111')], [2]],
    ['a row with a key written since the store was asked', [person('Cy', 'cy@example.com', '+61412999000')], [2]],
    ['a row whose keys nobody held', [person('Di', 'di@example.com', '+61412555000')], []],
    [
      'every row of a person one of whose rows may match, and no other',
      [person('Ed', 'ed@example.com', '+61412000111'), person('Ed', 'ed@example.com'), person('Flo', 'flo@example.com')],
      [2, 3],
    ],
  ])('%s', (_, contacts, mayMatch) => {
    const rows = contacts.map((contact, i) => row(i + 2, contact));
    const split = splitByPossibleMatch(keysOf(rows), held, writtenSince);
    expect(linesOf(split.mayMatch.map((i) => rows[i] as ValidRow))).toEqual(mayMatch);
    expect(linesOf(split.newPeople.flat().map((i) => rows[i] as ValidRow)).sort()).toEqual(linesOf(rows).filter((line) => !mayMatch.includes(line)));
    const keysOfRows = contacts.flatMap((c) => [...(c.email ? [`email:${c.email.normalized}`] : []), ...c.phones.map((p) => `phone:${p.e164}`)]);
    expect(split.keys).toEqual(new Set(keysOfRows));
  });

  it('plans the two parts apart as it plans them together', () => {
    const rows = [
      row(2, person('Ada', 'ada@example.com', '+61412345678')),
      row(3, person('Ada', 'ADA@example.com', '+61412000222')),
      row(4, person('New', 'new@example.com', '+61412000333')),
      row(5, person('New', undefined, '+61412000333', '+61412000444')),
      row(6, person('Solo', 'solo@example.com')),
      row(7, person('Bo', undefined, '+61412000111')),
    ];
    const store = [stored('c-ada', 'Ada', 'ada@example.com', ['+61412345678']), stored('c-bo', 'Bo', null, ['+61412000111'])];
    const options = { onMatch: 'update' as const, uniqueIdentity: true };
    const split = splitByPossibleMatch(keysOf(rows), new Set(['email:ada@example.com', 'phone:+61412345678', 'phone:+61412000111']), new Set());
    const rowsAt = (indexes: number[]) => indexes.map((i) => rows[i] as ValidRow);
    expect(linesOf(rowsAt(split.mayMatch))).toEqual([2, 3, 7]);
    // One group per new person: the two rows of New, and Solo.
    expect(split.newPeople.map((person) => linesOf(rowsAt(person)))).toEqual([[4, 5], [6]]);
    const apart = [planChunk(rowsAt(split.newPeople.flat()), [], options), planChunk(rowsAt(split.mayMatch), store, options)];
    const together = planChunk(rows, store, options);
    expect(apart.flatMap((p) => p.creates)).toEqual(together.creates);
    expect(apart.flatMap((p) => p.updates)).toEqual(together.updates);
    expect(apart.flatMap((p) => p.rows).sort((a, b) => a.line - b.line)).toEqual(together.rows);
  });
});
