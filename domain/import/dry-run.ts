import { identityKeyString } from '../identity';
import { applied, asExisting, type ChunkPlan, keyNamesOfRow, keysOfStored, type StoredContact, type ValidRow } from './plan';

/**
 * The contacts a dry run would have written so far in its chunk, as the batches after are planned against them: the
 * import plans each batch against what the batches before it wrote, and without these a person whose rows are a
 * batch or more apart would be counted new once in each. New contacts go by the reference their plan gave them.
 */
export class DryRunContacts {
  private readonly byId = new Map<string, StoredContact>();
  // Under the `none` policy several contacts may hold one email or phone.
  private readonly holdersOf = new Map<string, Set<string>>();

  /** The emails and phones among `keys` (identity key strings) that a contact written so far holds. */
  held(keys: Iterable<string>): string[] {
    return [...keys].filter((key) => this.holdersOf.has(key));
  }

  /**
   * The contacts to plan rows against: those looked up in the store, as written so far, and those written so far
   * that hold an email or phone of the rows.
   */
  overlay(stored: readonly StoredContact[], rows: readonly ValidRow[]): StoredContact[] {
    const contacts = stored.map((contact) => this.byId.get(contact.id) ?? contact);
    const ids = new Set(contacts.map((contact) => contact.id));
    for (const row of rows) {
      for (const key of keyNamesOfRow(row.contact)) {
        for (const id of this.holdersOf.get(key) ?? []) {
          const contact = this.byId.get(id);
          if (contact === undefined || ids.has(id)) continue;
          ids.add(id);
          contacts.push(contact);
        }
      }
    }
    return contacts;
  }

  /** What a batch would have written: the contacts its plans create and update, and its new people of one row. */
  record(plans: readonly ChunkPlan[], stored: readonly StoredContact[], alone: readonly ValidRow[]): void {
    const storedById = new Map(stored.map((contact) => [contact.id, contact]));
    for (const plan of plans) {
      for (const create of plan.creates) this.add({ id: create.ref, status: 'active', ...asExisting(create.contact) });
      for (const { contactId, update } of plan.updates) {
        const before = this.byId.get(contactId) ?? storedById.get(contactId);
        if (before !== undefined) this.add({ ...before, ...applied(before, update) });
      }
    }
    for (const row of alone) this.add({ id: `new:${row.line}`, status: 'active', ...asExisting(row.contact) });
  }

  private add(contact: StoredContact): void {
    this.byId.set(contact.id, contact);
    for (const key of keysOfStored(contact)) {
      const name = identityKeyString(key);
      const holders = this.holdersOf.get(name);
      if (holders) holders.add(contact.id);
      else this.holdersOf.set(name, new Set([contact.id]));
    }
  }
}
