import { bestMatch, identityKeyOfString, identityKeys, identityKeyString, type IdentityKey } from '../identity';
import { mayBeSamePerson } from '../names';
import { mergeForUpdate, type ContactField, type ContactUpdate, type ExistingContact, type ImportedContact, type ImportedPhone, type RowProblem } from './rows';

export type OnMatch = 'update' | 'skip' | 'create';

export interface ValidRow {
  line: number;
  contact: ImportedContact;
  warnings: RowProblem[];
}

export interface StoredContact extends ExistingContact {
  id: string;
  status: 'active' | 'archived';
  /** Made for a sender known only by a phone or email ("Unknown SMS contact"): whoever holds that key. */
  anonymous?: boolean;
  /** When the contact was last changed, as the store writes it: an undo of an update gives it back with the values. */
  updatedAt?: string;
}

export interface PlannedCreate {
  /** Rows point at a new contact by this reference until it has an id. */
  ref: string;
  contact: ImportedContact;
}

export interface PlannedUpdate {
  contactId: string;
  /** The changes of every row merged into this contact, in line order. */
  update: ContactUpdate;
}

export interface PlannedRow {
  line: number;
  outcome: 'created' | 'updated' | 'skipped';
  /** A contact id, or the ref of a planned create. */
  contact: string;
  warnings: RowProblem[];
}

export interface ChunkPlan {
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  rows: PlannedRow[];
  /** Rows of a person that cannot be stored: every email and phone of theirs is another person's (unique policy). */
  refused: { line: number; problems: RowProblem[] }[];
}

const keysOfRow = (contact: ImportedContact) => identityKeys({ email: contact.email?.normalized, phones: contact.phones.map((p) => p.e164) });
/** A row's emails and phones as identity key strings. */
export const keyNamesOfRow = (contact: ImportedContact): string[] => keysOfRow(contact).map(identityKeyString);
export const keysOfStored = (contact: ExistingContact) => identityKeys({ email: contact.emailNormalized, phones: contact.phones.map((p) => p.e164) });

/** Rows that share an email or phone, directly or through another row, are one person. By index into `rows`. */
function clusterRows(keyNames: readonly (readonly string[])[]): number[][] {
  const parent = keyNames.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const firstWithKey = new Map<string, number>();
  for (let i = 0; i < keyNames.length; i++) {
    for (const name of keyNames[i] as readonly string[]) {
      const other = firstWithKey.get(name);
      if (other === undefined) firstWithKey.set(name, i);
      else parent[find(i)] = find(other);
    }
  }
  const clusters = new Map<number, number[]>();
  for (let i = 0; i < keyNames.length; i++) {
    const root = find(i);
    const cluster = clusters.get(root);
    if (cluster) cluster.push(i);
    else clusters.set(root, [i]);
  }
  return [...clusters.values()];
}

/**
 * The people among rows that share an email or phone (a cluster, by index into `rows`, in line order): a row joins
 * the first person it shares a key with whose every row's name may be its own, else it is another person: Ava and
 * Leo Brown on one home phone, John Smith and John Brown on a clinic's "noemail@" placeholder. Every row, not one:
 * "Chris" may be Christopher or Christine, who are not one person for it.
 */
function splitByName(members: readonly number[], rows: readonly ValidRow[], keyNames: readonly (readonly string[])[]): number[][] {
  if (members.length === 1) return [[...members]];
  const contactOf = (i: number) => (rows[i] as ValidRow).contact;
  const people: { members: number[]; keys: Set<string> }[] = [];
  // A row may reach its person only through a later row ("jane@…", then her phone, then both): rows left out are
  // tried again once their person has grown, until none joins.
  let waiting = [...members];
  for (let joined = true; joined && waiting.length > 0; ) {
    joined = false;
    const next: number[] = [];
    for (const i of waiting) {
      const names = keyNames[i] as readonly string[];
      const person = people.find((p) => names.some((name) => p.keys.has(name)) && p.members.every((other) => mayBeSamePerson(contactOf(other), contactOf(i))));
      if (person === undefined) {
        next.push(i);
        continue;
      }
      person.members.push(i);
      for (const name of names) person.keys.add(name);
      joined = true;
    }
    waiting = next;
    if (!joined && waiting.length > 0) {
      // The earliest row no person takes starts one.
      const [first, ...rest] = waiting as [number, ...number[]];
      people.push({ members: [first], keys: new Set(keyNames[first]) });
      waiting = rest;
      joined = true;
    }
  }
  for (const person of people) person.members.sort((a, b) => a - b);
  return people.sort((a, b) => (a.members[0] as number) - (b.members[0] as number)).map((p) => p.members);
}

/**
 * Pinned rows of one contact are merged into it together; the rows without a pin are grouped into people by their
 * keys and names, as when nothing is pinned. By index into `rows`.
 */
function groupByPin(rows: readonly ValidRow[], pins: ReadonlyMap<number, string>, keyNames: readonly (readonly string[])[]): number[][] {
  const groups = new Map<string, number[]>();
  const unpinned: number[] = [];
  rows.forEach((row, i) => {
    const pin = pins.get(row.line);
    if (pin === undefined) return void unpinned.push(i);
    const group = groups.get(pin);
    if (group) group.push(i);
    else groups.set(pin, [i]);
  });
  if (unpinned.length === 0) return [...groups.values()];
  const clusters = clusterRows(unpinned.map((i) => keyNames[i] as readonly string[]));
  const people = clusters.flatMap((members) => splitByName(members.map((k) => unpinned[k] as number), rows, keyNames));
  // In the order of the file, so that of two rows changing one contact the later has the last word.
  return [...groups.values(), ...people].sort((a, b) => (a[0] as number) - (b[0] as number));
}

export function asExisting(contact: ImportedContact): ExistingContact {
  return {
    firstName: contact.firstName,
    middleName: contact.middleName ?? null,
    lastName: contact.lastName,
    businessName: contact.businessName ?? null,
    email: contact.email?.address ?? null,
    emailNormalized: contact.email?.normalized ?? null,
    notes: contact.notes ?? null,
    phones: contact.phones.map(({ raw, e164, type, primary }) => ({ raw, e164, type, isPrimary: primary })),
    tags: contact.tags,
    customFields: contact.customFields,
    contactAddress: contact.contactAddress ?? null,
    billingAddress: contact.billingAddress ?? null,
  };
}

/** A contact with an update's changes made. */
export function applied(contact: ExistingContact, { changes }: ContactUpdate): ExistingContact {
  const phones = [...contact.phones, ...changes.addPhones];
  const primary = changes.primaryPhone;
  return {
    ...contact,
    ...changes.fields,
    phones: primary === undefined ? phones : phones.map((phone) => ({ ...phone, isPrimary: phone.e164 === primary })),
    tags: [...contact.tags, ...changes.addTags],
    customFields: { ...contact.customFields, ...changes.customFields },
    contactAddress: { ...contact.contactAddress, ...changes.contactAddress },
    billingAddress: { ...contact.billingAddress, ...changes.billingAddress },
  };
}

function isEmpty(update: ContactUpdate): boolean {
  const c = update.changes;
  return (
    Object.keys(c.fields).length === 0 &&
    c.addPhones.length === 0 &&
    c.addTags.length === 0 &&
    Object.keys(c.customFields).length === 0 &&
    Object.keys(c.contactAddress).length === 0 &&
    Object.keys(c.billingAddress).length === 0 &&
    c.primaryPhone === undefined
  );
}

/** Later changes go on top of earlier ones; `previous` keeps the value from before the first change. */
function combine(a: ContactUpdate, b: ContactUpdate): ContactUpdate {
  return {
    changes: {
      fields: { ...a.changes.fields, ...b.changes.fields },
      addPhones: [...a.changes.addPhones, ...b.changes.addPhones],
      addTags: [...a.changes.addTags, ...b.changes.addTags],
      customFields: { ...a.changes.customFields, ...b.changes.customFields },
      contactAddress: { ...a.changes.contactAddress, ...b.changes.contactAddress },
      billingAddress: { ...a.changes.billingAddress, ...b.changes.billingAddress },
      ...((a.changes.replacedAddresses ?? b.changes.replacedAddresses) !== undefined && {
        replacedAddresses: [...new Set([...(a.changes.replacedAddresses ?? []), ...(b.changes.replacedAddresses ?? [])])],
      }),
      ...((b.changes.primaryPhone ?? a.changes.primaryPhone) !== undefined && { primaryPhone: b.changes.primaryPhone ?? a.changes.primaryPhone }),
    },
    previous: {
      fields: { ...b.previous.fields, ...a.previous.fields },
      customFields: { ...b.previous.customFields, ...a.previous.customFields },
      contactAddress: { ...b.previous.contactAddress, ...a.previous.contactAddress },
      billingAddress: { ...b.previous.billingAddress, ...a.previous.billingAddress },
      ...('primaryPhone' in a.previous ? { primaryPhone: a.previous.primaryPhone } : 'primaryPhone' in b.previous && { primaryPhone: b.previous.primaryPhone }),
    },
    warnings: [...a.warnings, ...b.warnings],
  };
}

/**
 * Under the `unique` policy a number or email held by another contact cannot be added to this one: the change is
 * dropped with a warning instead of failing the row.
 */
function withoutTakenKeys(
  update: ContactUpdate,
  ownerOf: (key: IdentityKey) => string | undefined,
  contactId: string,
  nameOf: ReadonlyMap<string, string>,
): ContactUpdate {
  const warnings: RowProblem[] = [];
  const whose = (owner: string) => (nameOf.get(owner) ? `another contact's, ${nameOf.get(owner)}'s,` : "another contact's");
  const addPhones = update.changes.addPhones.filter((phone) => {
    const owner = ownerOf({ kind: 'phone', value: phone.e164 });
    if (owner === undefined || owner === contactId) return true;
    warnings.push({ field: 'phone', message: `phone ${phone.e164} is ${whose(owner)} and was not added` });
    return false;
  });
  const fields = { ...update.changes.fields };
  const previous = { ...update.previous.fields };
  if (fields.emailNormalized !== undefined) {
    const owner = ownerOf({ kind: 'email', value: fields.emailNormalized });
    if (owner !== undefined && owner !== contactId) {
      warnings.push({ field: 'email', message: `email ${fields.emailNormalized} is ${whose(owner)} and was not added` });
      delete fields.email;
      delete fields.emailNormalized;
      delete previous.email;
      delete previous.emailNormalized;
    }
  }
  const changes = { ...update.changes, fields, addPhones };
  const previousOfAll = { ...update.previous, fields: previous };
  // A number left out cannot become the primary. A contact that had none then takes one of the numbers it gains, as
  // it would have without the mark: the mobile, else one that is no fax.
  if (changes.primaryPhone !== undefined && addPhones.length < update.changes.addPhones.length) {
    const primary = changes.primaryPhone;
    if (update.changes.addPhones.some((phone) => phone.e164 === primary) && !addPhones.some((phone) => phone.e164 === primary)) {
      const hadNone = previousOfAll.primaryPhone === null;
      delete changes.primaryPhone;
      delete previousOfAll.primaryPhone;
      const instead = hadNone ? (addPhones.find((phone) => phone.type === 'mobile') ?? addPhones.find((phone) => phone.type !== 'fax') ?? addPhones[0]) : undefined;
      if (instead !== undefined) changes.addPhones = addPhones.map((phone) => ({ ...phone, isPrimary: phone === instead }));
    }
  }
  return { changes, previous: previousOfAll, warnings: [...update.warnings, ...warnings] };
}

/** The problems of a row whose emails or phones (identity key strings) a user of the business holds: none if it holds none. */
export function keysOfUsersProblems(keyNames: readonly string[], keysOfUsers: ReadonlySet<string>): RowProblem[] {
  const problems: RowProblem[] = [];
  for (const name of keyNames) {
    if (!keysOfUsers.has(name)) continue;
    const { kind, value } = identityKeyOfString(name);
    problems.push({
      field: kind,
      message: `${kind} '${value}' belongs to a user of this business (an agent or admin); under its 'unique' identity policy a contact cannot have it`,
    });
  }
  return problems;
}

/**
 * Under the `unique` identity policy an email or phone held by a user of the business (an agent or admin) can never
 * be a contact's: whatever brings one is refused, with a problem that names it, before it is planned.
 */
export function refuseKeysOfUsers<T extends { contact: ImportedContact }>(
  items: readonly T[],
  keysOfUsers: ReadonlySet<string>,
): { kept: T[]; refused: { item: T; problems: RowProblem[] }[] } {
  const kept: T[] = [];
  const refused: { item: T; problems: RowProblem[] }[] = [];
  for (const item of items) {
    const problems = keysOfUsersProblems(keyNamesOfRow(item.contact), keysOfUsers);
    if (problems.length > 0) refused.push({ item, problems });
    else kept.push(item);
  }
  return { kept, refused };
}

/**
 * Splits a chunk's rows, given as each row's emails and phones (identity key strings), into those whose person may
 * already be stored and the others, as `planChunk` would group them, and gathers the keys the rows hold. A row may
 * match when it has a key the store held when it was probed, or one that rows written since the probe may have
 * stored, and so may every row of the same person in the chunk. The others are new people whose plan does not depend
 * on the store, so that it can be made before the store is locked and read. By index into `keyNames`; the new people
 * come as their people, one group of rows each.
 */
export function splitByPossibleMatch(
  keyNames: readonly (readonly string[])[],
  held: ReadonlySet<string>,
  writtenSince: ReadonlySet<string>,
): { mayMatch: number[]; newPeople: number[][]; keys: Set<string> } {
  const mayMatch: number[] = [];
  const newPeople: number[][] = [];
  for (const members of clusterRows(keyNames)) {
    if (members.some((i) => (keyNames[i] as readonly string[]).some((key) => held.has(key) || writtenSince.has(key)))) mayMatch.push(...members);
    else newPeople.push(members);
  }
  mayMatch.sort((a, b) => a - b);
  return { mayMatch, newPeople, keys: new Set(keyNames.flat()) };
}

/**
 * Decides, for the valid rows of one chunk, which contacts to create and which to update, so that the writing step is
 * a handful of set-based statements. Rows of one person (sharing an email or phone) become one contact; a person
 * already in the store is updated, skipped or created anew as `onMatch` says.
 */
export function planChunk(
  given: readonly ValidRow[],
  stored: readonly StoredContact[],
  options: {
    onMatch: OnMatch;
    uniqueIdentity: boolean;
    /**
     * Rows already known to belong to a stored contact (by line): they update it, whatever their keys match, and
     * rename it as they say. The other rows are matched by their keys.
     */
    pins?: ReadonlyMap<number, string>;
    /**
     * Rows that name a stored contact by its id (by line; an export's `Switchboard ID`): pinned to it when they may be
     * that contact, holding an email or phone of its or a name that may be its. Otherwise the id is a mistake (copied
     * down a column, or another row's): the row is matched by its keys, with a warning.
     */
    named?: ReadonlyMap<number, string>;
  },
): ChunkPlan {
  const plan: ChunkPlan = { creates: [], updates: [], rows: [], refused: [] };
  const storedById = new Map(stored.map((c) => [c.id, c]));
  const { pins, mistaken } = options.named ? confirmNamed(given, storedById, options.named, options.pins) : { pins: options.pins, mistaken: undefined };
  // A row that lacks what a contact needs may only update the contact it names; not that contact, it is refused.
  const rows = given.filter((row) => {
    if (row.contact.incomplete === undefined || pins?.has(row.line)) return true;
    plan.refused.push({ line: row.line, problems: [...row.contact.incomplete] });
    return false;
  });
  const owners = new Map<string, string>();
  for (const contact of stored) for (const key of keysOfStored(contact)) owners.set(identityKeyString(key), contact.id);
  const ownerOf = (key: IdentityKey) => (options.uniqueIdentity ? owners.get(identityKeyString(key)) : undefined);
  // The keys a contact holds once planned, so that a later person of the chunk who shares one is not given it too.
  const claim = (keys: readonly IdentityKey[], contactId: string) => {
    for (const key of keys) {
      const name = identityKeyString(key);
      if (!owners.has(name)) owners.set(name, contactId);
    }
  };
  const candidates = stored.map((c) => ({ id: c.id, email: c.emailNormalized, phones: c.phones.map((p) => p.e164), status: c.status, firstName: c.firstName, lastName: c.lastName, anonymous: c.anonymous === true }));
  // Who holds a key, to name them when a row of another person is refused it: stored contacts, and those this plan creates.
  const nameOf = new Map(stored.map((c) => [c.id, fullName(c)]));
  // Which stored contacts hold a key: a cluster is matched against those few, not against every stored contact.
  const holders = new Map<string, (typeof candidates)[number][]>();
  for (const candidate of candidates) {
    for (const key of identityKeys({ email: candidate.email, phones: candidate.phones })) {
      const name = identityKeyString(key);
      const holding = holders.get(name);
      if (holding) holding.push(candidate);
      else holders.set(name, [candidate]);
    }
  }
  // A row's keys are needed to cluster it and again to match it: worked out once.
  const rowKeys = rows.map((row) => keysOfRow(row.contact));
  const rowKeyNames = rowKeys.map((keys) => keys.map(identityKeyString));
  const candidatesFor = (members: readonly number[]) => {
    let found: Set<(typeof candidates)[number]> | undefined;
    for (const i of members) {
      for (const name of rowKeyNames[i] as string[]) {
        const holding = holders.get(name);
        if (holding) for (const candidate of holding) (found ??= new Set()).add(candidate);
      }
    }
    return found ? [...found] : [];
  };

  // The stored contacts the plan updates, with their state after the rows planned so far and the changes that made it.
  const updating = new Map<string, { state: ExistingContact; pending: ContactUpdate | undefined }>();
  // Which row of the file gave each contact each value it replaces a stored one with, so that a later row replacing it
  // again says so: the later row's value is the one kept.
  const givenBy = new Map<string, Map<string, { line: number; value: string }>>();
  const groups = pins && pins.size > 0 ? groupByPin(rows, pins, rowKeyNames) : clusterRows(rowKeyNames).flatMap((members) => splitByName(members, rows, rowKeyNames));
  for (const members of groups) {
    const cluster = members.map((i) => rows[i] as ValidRow);
    const pin = pins?.get((cluster[0] as ValidRow).line);
    let match: { contactId: string } | undefined;
    if (pin !== undefined) {
      match = storedById.has(pin) ? { contactId: pin } : undefined;
    } else if (options.onMatch !== 'create') {
      // Most rows of an import are a new person on their own: nothing to rank.
      const person = (cluster[0] as ValidRow).contact;
      const found = candidatesFor(members).filter((candidate) => candidate.anonymous || mayBeSamePerson(candidate, person));
      if (found.length > 0) match = bestMatch(members.flatMap((i) => rowKeys[i] as IdentityKey[]), found);
    }
    const target = match ? storedById.get(match.contactId) : undefined;

    if (target && options.onMatch === 'skip') {
      for (const row of cluster) {
        plan.rows.push({ line: row.line, outcome: 'skipped', contact: target.id, warnings: [...row.warnings, { message: `matches existing contact ${target.id}`, note: true }] });
      }
      continue;
    }

    let state: ExistingContact;
    let contactId: string;
    let pending: ContactUpdate | undefined;
    let rest = cluster;
    if (target) {
      // Rows that reach one stored contact by different keys ("jane@…" on one, her mobile on the other) are two
      // clusters: the later goes on from the earlier's changes, into one update, and so one record for the undo.
      const earlier = updating.get(target.id);
      state = earlier?.state ?? target;
      pending = earlier?.pending;
      contactId = target.id;
    } else {
      const [first, ...others] = cluster as [ValidRow, ...ValidRow[]];
      const ref = `new:${first.line}`;
      // Another person's email or phone (who has another name) stays theirs, under the `unique` policy.
      const own = options.onMatch === 'create' ? { contact: first.contact, warnings: [] } : withoutKeysOfOthers(first.contact, ownerOf, nameOf);
      if (own.contact === undefined) {
        const problem = everyKeyHeld(first.contact, own.holder, nameOf);
        for (const row of cluster) plan.refused.push({ line: row.line, problems: [problem] });
        continue;
      }
      plan.creates.push({ ref, contact: own.contact });
      plan.rows.push({ line: first.line, outcome: 'created', contact: ref, warnings: [...first.warnings, ...own.warnings] });
      nameOf.set(ref, fullName(own.contact));
      // A new contact of one row is written as the row has it.
      if (others.length === 0) {
        claim(keysOfRow(own.contact), ref);
        continue;
      }
      state = asExisting(own.contact);
      contactId = ref;
      rest = others;
      givenBy.set(ref, valuesGiven(own.contact, first.line));
    }
    let given = givenBy.get(contactId);
    if (given === undefined) givenBy.set(contactId, (given = new Map()));
    for (const row of rest) {
      const update = withoutTakenKeys(mergeForUpdate(state, row.contact, { keepFullerNames: pin === undefined }), ownerOf, contactId, nameOf);
      const changed = !isEmpty(update);
      const fromRows = replacedValuesOfRows(update, row.line, given);
      plan.rows.push({
        line: row.line,
        outcome: changed ? 'updated' : 'skipped',
        contact: contactId,
        warnings: [
          ...row.warnings,
          // An address warning said again naming the row that gave the address it replaces stands in its place.
          ...update.warnings.filter((warning) => !fromRows.some((said) => said.field === warning.field && (ADDRESS_KINDS as readonly (string | undefined)[]).includes(said.field))),
          ...fromRows,
          // Archived contacts are left out of the business's lists: an update of one would be hard to find.
          ...(changed && target?.status === 'archived' ? [{ message: `the contact it updates, ${fullName(target)}, is archived, and stays archived` }] : []),
          ...(changed ? [] : [{ message: 'no new information for the contact', note: true as const }]),
        ],
      });
      if (!changed) continue;
      state = applied(state, update);
      pending = pending ? combine(pending, update) : update;
    }
    if (!target) {
      // Rows merged into a contact this chunk creates simply make it whole before it is written.
      const create = plan.creates.at(-1) as PlannedCreate;
      create.contact = fromExisting(state);
    } else {
      updating.set(contactId, { state, pending });
    }
    claim(keysOfStored(state), contactId);
  }
  for (const [contactId, { pending }] of updating) if (pending) plan.updates.push({ contactId, update: pending });
  if (mistaken) {
    for (const row of plan.rows) {
      const problem = mistaken.get(row.line);
      if (problem) row.warnings.unshift(problem);
    }
    for (const row of plan.refused) {
      const problem = mistaken.get(row.line);
      if (problem) row.problems.unshift(problem);
    }
  }
  plan.rows.sort((a, b) => a.line - b.line);
  return plan;
}

// The values one row of a person replaces another's by, last row first: a name or a custom field, never a list.
const REPLACED_FIELDS: Partial<Record<ContactField, string>> = { firstName: 'first name', middleName: 'middle name', lastName: 'last name', businessName: 'business name' };

/** The names and custom fields a row gives a contact it creates, by the line that gave them. */
function valuesGiven(contact: ImportedContact, line: number): Map<string, { line: number; value: string }> {
  const given = new Map<string, { line: number; value: string }>();
  for (const field of Object.keys(REPLACED_FIELDS) as ContactField[]) {
    const value = contact[field as 'firstName'];
    if (value) given.set(field, { line, value });
  }
  for (const [name, value] of Object.entries(contact.customFields)) if (value) given.set(`custom:${name}`, { line, value });
  for (const kind of ADDRESS_KINDS) if (contact[kind] !== undefined) given.set(kind, { line, value: '' });
  return given;
}

const ADDRESS_KINDS = ['contactAddress', 'billingAddress'] as const;

/**
 * Warnings for the values an update replaces that an earlier row of the file gave the contact ("row 2 gave 'Robert',
 * row 9 'Bobby'"): both rows say they are the contact, and only the later one's value is kept. Records the update's
 * values as given by `line`.
 */
function replacedValuesOfRows(update: ContactUpdate, line: number, given: Map<string, { line: number; value: string }>): RowProblem[] {
  const warnings: RowProblem[] = [];
  const replace = (field: string, value: string, described: string) => {
    const earlier = given.get(field);
    if (earlier !== undefined && earlier.line !== line && earlier.value !== value) {
      warnings.push({ field, message: `${described} replaces '${earlier.value}', which row ${earlier.line} of the file gave the contact` });
    }
    given.set(field, { line, value });
  };
  for (const [field, value] of Object.entries(update.changes.fields) as [ContactField, string][]) {
    const what = REPLACED_FIELDS[field];
    if (what !== undefined) replace(field, value, `the ${what} '${value}'`);
  }
  for (const [name, value] of Object.entries(update.changes.customFields)) replace(`custom:${name}`, value, `'${value}' in custom field '${name}'`);
  // An address replaced whole says so already; that an earlier row gave the one it replaces is said with it.
  for (const kind of ADDRESS_KINDS) {
    if (Object.keys(update.changes[kind]).length === 0) continue;
    const earlier = given.get(kind);
    const said = update.warnings.find((warning) => warning.field === kind);
    if (earlier !== undefined && earlier.line !== line && said !== undefined && update.changes.replacedAddresses?.includes(kind)) {
      warnings.push({ field: kind, message: `${said.message}, which row ${earlier.line} of the file gave it` });
    }
    given.set(kind, { line, value: '' });
  }
  return warnings;
}

/** The rows named that may be the contact they name, pinned to it, beside `pins`; and why each of the others is not. */
function confirmNamed(
  rows: readonly ValidRow[],
  storedById: ReadonlyMap<string, StoredContact>,
  named: ReadonlyMap<number, string>,
  pinned: ReadonlyMap<number, string> | undefined,
): { pins: Map<number, string>; mistaken: Map<number, RowProblem> } {
  const pins = new Map(pinned);
  const mistaken = new Map<number, RowProblem>();
  for (const row of rows) {
    const id = named.get(row.line);
    const contact = id === undefined ? undefined : storedById.get(id);
    if (id === undefined || contact === undefined) continue;
    // Its email or mobile is the person's own; a home or work number a family or a practice shares says nothing of who.
    const ownKeys = new Set(
      identityKeys({ email: contact.emailNormalized, phones: contact.phones.filter((phone) => phone.type === 'mobile').map((phone) => phone.e164) }).map(identityKeyString),
    );
    if (keyNamesOfRow(row.contact).some((key) => ownKeys.has(key)) || mayBeSamePerson(contact, row.contact)) {
      pins.set(row.line, id);
      continue;
    }
    mistaken.set(row.line, {
      field: 'switchboardId',
      message: `Switchboard ID ${id} is ${fullName(contact)}'s, and this row has neither that name nor that contact's email or mobile: it is matched by its own email and phones instead`,
    });
  }
  return { pins, mistaken };
}

function fullName(contact: { firstName: string; lastName: string }): string {
  return [contact.firstName, contact.lastName].filter((name) => name !== '').join(' ');
}

/**
 * A new contact without the emails and phones another contact holds (one with another name, or the row would
 * have matched it), each left out with a warning that names the holder; no contact when nothing of its own is left.
 */
function withoutKeysOfOthers(
  contact: ImportedContact,
  ownerOf: (key: IdentityKey) => string | undefined,
  nameOf: ReadonlyMap<string, string>,
): { contact: ImportedContact; warnings: RowProblem[] } | { contact: undefined; holder: string } {
  const heldBy = (kind: IdentityKey['kind'], value: string | undefined) => (value === undefined ? undefined : ownerOf({ kind, value }));
  const emailHolder = heldBy('email', contact.email?.normalized);
  const phoneHolders = contact.phones.map((phone) => heldBy('phone', phone.e164));
  if (emailHolder === undefined && phoneHolders.every((holder) => holder === undefined)) return { contact, warnings: [] };
  const phones = contact.phones.filter((_, i) => phoneHolders[i] === undefined);
  const keepsEmail = contact.email !== undefined && emailHolder === undefined;
  if (phones.length === 0 && !keepsEmail) return { contact: undefined, holder: (emailHolder ?? phoneHolders.find((h) => h !== undefined)) as string };
  const why = (holder: string) => `${nameOf.get(holder) ?? 'another contact'}'s, a person of another name; it is one contact's in this business: left out`;
  const warnings: RowProblem[] = [];
  if (emailHolder !== undefined) warnings.push({ field: 'email', message: `email ${contact.email?.normalized} is ${why(emailHolder)}` });
  contact.phones.forEach((phone, i) => {
    const holder = phoneHolders[i];
    if (holder !== undefined) warnings.push({ field: 'phone', message: `phone ${phone.e164} is ${why(holder)}` });
  });
  if (phones.length > 0 && !phones.some((phone) => phone.primary)) phones[0] = { ...(phones[0] as ImportedPhone), primary: true };
  const { email: _email, ...rest } = contact;
  return { contact: { ...rest, ...(keepsEmail && { email: contact.email }), phones }, warnings };
}

/** Why a person whose every email and phone another person holds cannot be stored, and what would let them be. */
function everyKeyHeld(contact: ImportedContact, holder: string, nameOf: ReadonlyMap<string, string>): RowProblem {
  const name = fullName(contact);
  const keys = [
    ...(contact.email ? [{ field: 'email', value: contact.email.normalized }] : []),
    ...contact.phones.map((phone) => ({ field: 'phone', value: phone.e164 })),
  ];
  const what = keys.length === 1 ? `only ${keys[0]?.field}, ${keys[0]?.value}, is` : `emails and phones (${keys.map((k) => k.value).join(', ')}) are`;
  return {
    field: keys[0]?.field ?? 'phone',
    message:
      `${name}'s ${what} ${nameOf.get(holder) ?? 'another contact'}'s, a person of another name; an email or phone is one ` +
      `contact's in this business, so ${name} needs one of their own`,
  };
}

function fromExisting(contact: ExistingContact): ImportedContact {
  const compact = (address: ExistingContact['contactAddress']) => {
    if (!address) return undefined;
    const parts = Object.fromEntries(Object.entries(address).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<string, string>;
    return Object.keys(parts).length > 0 ? parts : undefined;
  };
  const contactAddress = compact(contact.contactAddress);
  const billingAddress = compact(contact.billingAddress);
  return {
    firstName: contact.firstName,
    ...(contact.middleName ? { middleName: contact.middleName } : {}),
    lastName: contact.lastName,
    ...(contact.businessName ? { businessName: contact.businessName } : {}),
    ...(contact.email && contact.emailNormalized ? { email: { address: contact.email, normalized: contact.emailNormalized } } : {}),
    phones: contact.phones.map(({ raw, e164, type, isPrimary }) => ({ raw, e164, type, primary: isPrimary })),
    tags: [...contact.tags],
    ...(contact.notes ? { notes: contact.notes } : {}),
    customFields: { ...contact.customFields },
    ...(contactAddress ? { contactAddress } : {}),
    ...(billingAddress ? { billingAddress } : {}),
  };
}
