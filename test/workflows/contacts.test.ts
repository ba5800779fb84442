import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { listContacts } from '../../db/contacts';
import { BusinessIdAttribute } from '../../domain/search-attributes';
import { useWorkerTestContext } from '../support/context';
import { aBusiness, aContact, anOpenConversation } from '../support/fixtures';

const t = useWorkerTestContext();

async function failureMessage(type: string, input: unknown): Promise<{ message: string; type?: string }> {
  const error = await t.worker.execute(type, input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { message: (cause as ApplicationFailure).message, type: (cause as ApplicationFailure).type ?? undefined };
}

describe('deleteContact on a real Temporal server', () => {
  it('deletes a contact without open work and archives one with it', async () => {
    const business = await aBusiness(t.database.db);
    const plain = await aContact(t.database.db, business, { email: { address: 'plain@example.com', normalized: 'plain@example.com' }, phones: [] });
    const busy = await aContact(t.database.db, business);
    await anOpenConversation(t.database.db, business, busy);

    expect(await t.worker.execute('deleteContact', { businessId: business.id, contactId: plain })).toEqual({ outcome: 'deleted' });
    expect(await t.worker.execute('deleteContact', { businessId: business.id, contactId: busy })).toEqual({
      outcome: 'archived',
      reason: 'the contact has 1 open conversation',
    });
    expect((await listContacts(t.database.db, business.id, { includeArchived: true })).map((c) => [c.id, c.status])).toEqual([[busy, 'archived']]);
  });

  it('tags the workflow with its business, so an operator can find every workflow of one business', async () => {
    const business = await aBusiness(t.database.db);
    const contactId = await aContact(t.database.db, business);
    const workflowId = `delete-${contactId}`;
    await t.worker.execute('deleteContact', { businessId: business.id, contactId }, workflowId);
    const description = await t.worker.client.workflow.getHandle(workflowId).describe();
    expect(description.typedSearchAttributes.get(BusinessIdAttribute)).toBe(business.id);
  });

  it.each([
    [undefined, 'deleteContact takes one JSON object as its input, e.g. {"businessId":"<uuid>","contactId":"<uuid>"}'],
    [{ businessId: 'abc' }, 'deleteContact input is invalid: businessId must be a UUID, e.g. 0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d; contactId is required'],
    [
      { businessId: '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', contactId: '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', contact: 'x' },
      'deleteContact input is invalid: unknown field: contact',
    ],
  ])('fails at once on bad input %j, naming the field', async (input, message) => {
    expect(await failureMessage('deleteContact', input)).toEqual({ message, type: 'InvalidInput' });
  });

  it('fails with the reason when the contact does not exist', async () => {
    const business = await aBusiness(t.database.db);
    const contactId = '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d';
    expect(await failureMessage('deleteContact', { businessId: business.id, contactId })).toEqual({
      message: `contactId: no contact ${contactId} in business ${business.id}`,
      type: 'NotFound',
    });
  });
});

describe('receiveInboundMessage on a real Temporal server', () => {
  it('reactivates an archived contact, keeping its name', async () => {
    const business = await aBusiness(t.database.db);
    const contactId = await aContact(t.database.db, business);
    await anOpenConversation(t.database.db, business, contactId);
    await t.worker.execute('deleteContact', { businessId: business.id, contactId });
    const result = await t.worker.execute('receiveInboundMessage', {
      businessId: business.id,
      channel: 'whatsapp',
      from: { phone: '+61 412 345 678' },
      name: 'New Name',
      text: 'Is my appointment still on?',
    });
    expect(result).toEqual({ contactId, outcome: 'reactivated' });
    expect(await listContacts(t.database.db, business.id)).toMatchObject([{ id: contactId, firstName: 'Ada', lastName: 'Lovelace', status: 'active' }]);
  });

  it('creates one contact when workflows for one unknown number run at the same moment', async () => {
    const business = await aBusiness(t.database.db);
    const results = await Promise.all(
      ['0499 111 222', '+61499111222', '(04) 9911 1222', '0061 499 111 222'].map((phone) =>
        t.worker.execute<{ contactId: string; outcome: string }>('receiveInboundMessage', {
          businessId: business.id,
          channel: 'sms',
          from: { phone },
          text: 'hi',
        }),
      ),
    );
    expect(new Set(results.map((r) => r.contactId)).size).toBe(1);
    expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'matched', 'matched', 'matched']);
    expect(await listContacts(t.database.db, business.id)).toHaveLength(1);
  });

  it('records a message once when the provider delivers it twice', async () => {
    const business = await aBusiness(t.database.db);
    const input = { businessId: business.id, channel: 'sms', from: { phone: '0499 111 333' }, text: 'hi', messageId: 'SM123' };
    const first = await t.worker.execute('receiveInboundMessage', input);
    const second = await t.worker.execute('receiveInboundMessage', input);
    expect(second).toEqual(first);
  });

  it.each([
    [
      { businessId: '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', channel: 'fax', from: {}, text: 'x' },
      'receiveInboundMessage input is invalid: channel must be one of sms, whatsapp, webchat, email',
    ],
    [
      { businessId: '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', channel: 'sms', from: { email: 'a@b.co' }, text: 'x' },
      'receiveInboundMessage input is invalid: from.phone is required for sms messages',
    ],
    [
      { businessId: '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d', channel: 'sms', from: { phone: '0412345678' }, text: 'x', receivedAt: 'yesterday' },
      'receiveInboundMessage input is invalid: receivedAt must be an ISO 8601 date-time, e.g. 2026-11-21T09:30:00Z',
    ],
  ])('fails at once on bad input %j, naming the field', async (input, message) => {
    expect(await failureMessage('receiveInboundMessage', input)).toEqual({ message, type: 'InvalidInput' });
  });

  it('fails with the reason for a number that is not a phone number', async () => {
    const business = await aBusiness(t.database.db);
    expect(
      await failureMessage('receiveInboundMessage', { businessId: business.id, channel: 'sms', from: { phone: '12345' }, text: 'x' }),
    ).toEqual({ message: "from.phone: '12345' is not a valid number for AU", type: 'InvalidInput' });
  });
});
