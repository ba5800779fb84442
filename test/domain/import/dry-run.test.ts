import { describe, expect, it } from 'vitest';
import { DryRunContacts } from '../../../domain/import/dry-run';
import { planChunk, type StoredContact, type ValidRow } from '../../../domain/import/plan';
import type { ImportedContact } from '../../../domain/import/rows';

const person = (first: string, email: string, ...phones: string[]): ImportedContact => ({
  firstName: first,
  lastName: 'Test',
  email: { address: email, normalized: email },
  phones: phones.map((e164, i) => ({ raw: e164, e164, type: 'mobile', primary: i === 0 })),
  tags: [],
  customFields: {},
});
const row = (line: number, contact: ImportedContact): ValidRow => ({ line, contact, warnings: [] });
const bea: StoredContact = {
  id: 'c1',
  status: 'active',
  firstName: 'Bea',
  middleName: null,
  lastName: 'Test',
  businessName: null,
  email: 'bea@x.com',
  emailNormalized: 'bea@x.com',
  notes: null,
  phones: [],
  tags: [],
  customFields: {},
  contactAddress: null,
  billingAddress: null,
};
const options = { onMatch: 'update' as const, uniqueIdentity: true };

describe('DryRunContacts', () => {
  it('plans later rows against the contacts earlier batches would have created and updated', () => {
    const written = new DryRunContacts();
    const first = planChunk([row(2, person('Ada', 'ada@x.com')), row(3, person('Bea', 'bea@x.com', '+61412000002'))], [bea], options);
    written.record([first], [bea], [row(4, person('Cy', 'cy@x.com'))]);
    expect(written.held(['email:ada@x.com', 'phone:+61412000002', 'email:cy@x.com', 'email:dee@x.com'])).toEqual(['email:ada@x.com', 'phone:+61412000002', 'email:cy@x.com']);

    // Bea's number, which the store does not hold yet, finds her as updated; Ada and Cy as created.
    const later = [row(9, person('Ada', 'ada@x.com', '+61412000001')), row(10, person('Bea', 'bea@x.com')), row(11, { ...person('Bea', 'other@x.com', '+61412000002') })];
    const contacts = written.overlay([bea], later);
    expect(contacts.map((c) => [c.id, c.phones.map((p) => p.e164)])).toEqual([['c1', ['+61412000002']], ['new:2', []]]);
    const plan = planChunk(later, contacts, options);
    expect(plan.rows.map((r) => [r.line, r.outcome, r.contact])).toEqual([[9, 'updated', 'new:2'], [10, 'skipped', 'c1'], [11, 'skipped', 'c1']]);
    expect(plan.creates).toEqual([]);
  });

  it('finds every contact that would hold an email, as several may under the none policy', () => {
    const written = new DryRunContacts();
    const none = { onMatch: 'update' as const, uniqueIdentity: false };
    const first = planChunk([row(2, person('Christopher', 'shared@x.com')), row(3, person('Mary', 'shared@x.com'))], [], none);
    expect(first.creates).toHaveLength(2);
    written.record([first], [], []);
    const later = [row(5001, { ...person('Christopher', 'shared@x.com'), tags: ['VIP'] })];
    const plan = planChunk(later, written.overlay([], later), none);
    expect(plan.rows.map((r) => [r.line, r.outcome, r.contact])).toEqual([[5001, 'updated', 'new:2']]);
  });
});
