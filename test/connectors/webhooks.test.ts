import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseQuickBooksWebhook,
  quickBooksCustomerChanges,
  readCloudEventType,
  verifyQuickBooksSignature,
} from '../../connectors/webhooks/quickbooks';
import { parseXeroWebhook, verifyXeroSignature, xeroContactChanges, type WebhookChange } from '../../connectors/webhooks/xero';

const XERO_KEY = 'OSd0eLlVIY9ZhViEqlDUh4+6n6M+Lo+eDaEJheJ6OCCgWwIz2D3JIAU6jPMipHRbgKTLz2uJ+xiACXGDBLrgdA==';
const QBO_TOKEN = 'eb566143-7dcf-46a0-a51b-dc42962e461d';
const TENANT = 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f';
const CONTACT = '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777';
const REALM = '9341455130166501';

function sign(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

function xeroEvent(category: string, resourceId: string, extra: Record<string, unknown> = {}) {
  const plural = { CONTACT: 'Contacts', INVOICE: 'Invoices', CREDITNOTE: 'CreditNotes' }[category] ?? category;
  return {
    resourceUrl: `https://api.xero.com/api.xro/2.0/${plural}/${resourceId}`,
    resourceId,
    eventDateUtc: '2024-06-21T01:15:39.902',
    eventType: 'UPDATE',
    eventCategory: category,
    tenantId: TENANT,
    tenantType: 'ORGANISATION',
    ...extra,
  };
}

function xeroBody(events: unknown[], sequence = 1): string {
  return JSON.stringify({ events, firstEventSequence: sequence, lastEventSequence: sequence, entropy: 'S0m3r4Nd0mt3xt' });
}

const XERO_CONTACT_BODY = xeroBody([xeroEvent('CONTACT', CONTACT)]);
// Key order and spacing as Xero sends them: what is signed is these bytes, not an equivalent JSON.
const XERO_INTENT_BODY = '{"events":[],"lastEventSequence":0,"firstEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}';
const UNICODE_BODY = xeroBody([xeroEvent('CONTACT', CONTACT, { note: 'Renée Müller — 20 €' })]);

describe.each([
  { provider: 'xero', verify: verifyXeroSignature, secret: XERO_KEY, otherSecret: QBO_TOKEN },
  { provider: 'quickbooks', verify: verifyQuickBooksSignature, secret: QBO_TOKEN, otherSecret: XERO_KEY },
])('$provider signature', ({ verify, secret, otherSecret }) => {
  const body = Buffer.from(XERO_CONTACT_BODY);
  const good = sign(body, secret);
  const tampered = Buffer.from(XERO_CONTACT_BODY.replace('UPDATE', 'CREATE'));
  const reserialised = Buffer.from(JSON.stringify(JSON.parse(XERO_CONTACT_BODY), null, 2));

  it.each<[string, Buffer, string | string[] | undefined, boolean]>([
    ['valid', body, good, true],
    ['valid, with surrounding spaces', body, ` ${good} `, true],
    ['valid over non-ASCII bytes', Buffer.from(UNICODE_BODY), sign(Buffer.from(UNICODE_BODY), secret), true],
    ['valid on an intent-to-receive body', Buffer.from(XERO_INTENT_BODY), sign(XERO_INTENT_BODY, secret), true],
    ['tampered body', tampered, good, false],
    ['the same JSON serialised differently', reserialised, good, false],
    ['signed with another key', body, sign(body, otherSecret), false],
    ['missing header', body, undefined, false],
    ['empty header', body, '', false],
    ['truncated signature', body, good.slice(0, -4), false],
    ['signature with extra bytes', body, sign(body, secret) + 'AAAA', false],
    ['signature without padding', body, good.replace(/=+$/, ''), false],
    ['hex digest instead of base64', body, createHmac('sha256', secret).update(body).digest('hex'), false],
    ['not base64 at all, right length', body, '!'.repeat(44), false],
    ['base64url alphabet', body, '-'.repeat(43) + '=', false],
    ['repeated header', body, [good, good], false],
  ])('%s', (_name, rawBody, signature, valid) => {
    expect(verify(rawBody, signature, secret)).toBe(valid);
  });

  it('is not valid with an empty secret', () => {
    expect(verify(body, sign(body, ''), '')).toBe(false);
  });
});

describe('parseXeroWebhook', () => {
  it('reads a contact event into the common shape', () => {
    expect(parseXeroWebhook(Buffer.from(XERO_CONTACT_BODY))).toEqual({
      ok: true,
      intentToReceive: false,
      eventCount: 1,
      skipped: 0,
      changes: [
        { provider: 'xero', tenantId: TENANT, entity: 'Contact', entityId: CONTACT, operation: 'Update', at: '2024-06-21T01:15:39.902Z' },
      ],
    });
  });

  it('recognises the intent-to-receive delivery', () => {
    expect(parseXeroWebhook(XERO_INTENT_BODY)).toEqual({ ok: true, intentToReceive: true, changes: [], eventCount: 0, skipped: 0 });
  });

  it.each([
    ['CONTACT', 'CREATE', 'Contact', 'Create'],
    ['INVOICE', 'UPDATE', 'Invoice', 'Update'],
    ['CREDITNOTE', 'CREATE', 'CreditNote', 'Create'],
    ['SUBSCRIPTION', 'UPDATE', 'Subscription', 'Update'],
    ['PAYMENT', 'UPDATE', 'Payment', 'Update'],
  ])('reads category %s / type %s as %s / %s', (category, type, entity, operation) => {
    const result = parseXeroWebhook(xeroBody([xeroEvent(category, 'r-1', { eventType: type, data: { Type: 'ACCPAYCREDIT', Status: 'DRAFT' } })]));
    expect(result.ok && result.changes.map((c) => [c.entity, c.operation])).toEqual([[entity, operation]]);
  });

  it('keeps only contacts among the categories Switchboard does not act on', () => {
    const result = parseXeroWebhook(
      xeroBody([
        xeroEvent('INVOICE', 'inv-1'),
        xeroEvent('CONTACT', 'contact-1'),
        xeroEvent('CREDITNOTE', 'cn-1'),
        { ...xeroEvent('SUBSCRIPTION', 'sub-1'), tenantType: 'APPLICATION' },
        xeroEvent('CONTACT', 'contact-2', { eventType: 'CREATE' }),
      ]),
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.changes).toHaveLength(5);
    expect(xeroContactChanges(result.changes).map((c) => [c.entityId, c.operation])).toEqual([
      ['contact-1', 'Update'],
      ['contact-2', 'Create'],
    ]);
    expect(xeroContactChanges(parseXeroOk(xeroBody([xeroEvent('INVOICE', 'inv-1')])))).toEqual([]);
  });

  it('keeps a time that already names its zone', () => {
    const changes = parseXeroOk(xeroBody([xeroEvent('CONTACT', CONTACT, { eventDateUtc: '2024-06-21T01:15:39Z' })]));
    expect(changes[0]?.at).toBe('2024-06-21T01:15:39Z');
  });

  it.each([
    ['not JSON', '{"events": [', 'invalid-json'],
    ['empty body', '', 'invalid-json'],
    ['no events', JSON.stringify({ firstEventSequence: 1, lastEventSequence: 1, entropy: 'x' }), 'invalid-payload'],
    ['events not an array', JSON.stringify({ events: {}, firstEventSequence: 1, lastEventSequence: 1, entropy: 'x' }), 'invalid-payload'],
    ['an event without a tenant', xeroBody([{ ...xeroEvent('CONTACT', CONTACT), tenantId: undefined }]), 'invalid-payload'],
    ['an event without a resource id', xeroBody([{ ...xeroEvent('CONTACT', CONTACT), resourceId: '' }]), 'invalid-payload'],
    ['a QuickBooks body', JSON.stringify({ eventNotifications: [] }), 'invalid-payload'],
    ['an array', '[]', 'invalid-payload'],
  ])('refuses %s', (_name, body, reason) => {
    expect(parseXeroWebhook(body)).toMatchObject({ ok: false, reason });
  });

  it('does not repeat the body in its messages', () => {
    const result = parseXeroWebhook(xeroBody([{ ...xeroEvent('CONTACT', 'secret-contact-id'), tenantId: 42 }]));
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('secret-contact-id');
  });
});

function parseXeroOk(body: string): WebhookChange[] {
  const result = parseXeroWebhook(body);
  if (!result.ok) throw new Error(result.message);
  return result.changes;
}

function parseQboOk(body: unknown) {
  const result = parseQuickBooksWebhook(JSON.stringify(body));
  if (!result.ok) throw new Error(result.message);
  return result;
}

const legacy = {
  eventNotifications: [
    {
      realmId: REALM,
      dataChangeEvent: {
        entities: [
          { name: 'Customer', id: '58', operation: 'Update', lastUpdated: '2025-09-08T20:52:31.657Z' },
          { name: 'Invoice', id: '130', operation: 'Create', lastUpdated: '2025-09-08T20:52:32.000Z' },
          { name: 'Customer', id: '123', operation: 'Merge', lastUpdated: '2025-09-08T20:53:00.000Z', deletedId: '27' },
        ],
      },
    },
    {
      realmId: '310687',
      dataChangeEvent: { entities: [{ name: 'Customer', id: '9', operation: 'Delete', lastUpdated: '2025-09-08T21:00:00.000Z' }] },
    },
  ],
};

function cloudEvent(type: string, entityId: string, extra: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: `88cd52aa-33b6-4351-9aa4-47572edbd068-${entityId}`,
    source: 'intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=',
    type,
    datacontenttype: 'application/json',
    time: '2025-09-10T21:31:25.179851517Z',
    intuitentityid: entityId,
    intuitaccountid: REALM,
    data: {},
    ...extra,
  };
}

describe('parseQuickBooksWebhook', () => {
  it('reads the legacy format, realm by realm', () => {
    expect(parseQboOk(legacy)).toEqual({
      ok: true,
      eventCount: 4,
      skipped: 0,
      changes: [
        { provider: 'quickbooks', tenantId: REALM, entity: 'Customer', entityId: '58', operation: 'Update', at: '2025-09-08T20:52:31.657Z' },
        { provider: 'quickbooks', tenantId: REALM, entity: 'Invoice', entityId: '130', operation: 'Create', at: '2025-09-08T20:52:32.000Z' },
        {
          provider: 'quickbooks',
          tenantId: REALM,
          entity: 'Customer',
          entityId: '123',
          operation: 'Merge',
          at: '2025-09-08T20:53:00.000Z',
          deletedId: '27',
        },
        { provider: 'quickbooks', tenantId: '310687', entity: 'Customer', entityId: '9', operation: 'Delete', at: '2025-09-08T21:00:00.000Z' },
      ],
    });
  });

  it('reads the CloudEvents format', () => {
    const result = parseQboOk([
      cloudEvent('qbo.customer.updated.v1', '58'),
      cloudEvent('qbo.customer.merged.v1', '123', { data: { deletedid: '27' } }),
      // Some events come without data or datacontenttype.
      { ...cloudEvent('qbo.salesreceipt.updated.v1', '150'), data: undefined, datacontenttype: undefined },
      cloudEvent('qbo.account.created.v1', '1234'),
    ]);
    expect(result).toMatchObject({ ok: true, eventCount: 4, skipped: 0 });
    expect(result.changes).toEqual([
      { provider: 'quickbooks', tenantId: REALM, entity: 'Customer', entityId: '58', operation: 'Update', at: '2025-09-10T21:31:25.179851517Z' },
      {
        provider: 'quickbooks',
        tenantId: REALM,
        entity: 'Customer',
        entityId: '123',
        operation: 'Merge',
        at: '2025-09-10T21:31:25.179851517Z',
        deletedId: '27',
      },
      {
        provider: 'quickbooks',
        tenantId: REALM,
        entity: 'SalesReceipt',
        entityId: '150',
        operation: 'Update',
        at: '2025-09-10T21:31:25.179851517Z',
      },
      { provider: 'quickbooks', tenantId: REALM, entity: 'Account', entityId: '1234', operation: 'Create', at: '2025-09-10T21:31:25.179851517Z' },
    ]);
  });

  it('gives the same change for the same event in either format', () => {
    const old = parseQboOk({
      eventNotifications: [{ realmId: REALM, dataChangeEvent: { entities: [{ name: 'Customer', id: '58', operation: 'Void' }] } }],
    });
    const cloud = parseQboOk([{ ...cloudEvent('qbo.customer.voided.v1', '58'), time: undefined }]);
    expect(cloud.changes).toEqual(old.changes);
    expect(old.changes).toHaveLength(1);
  });

  it('reads a single CloudEvent sent on its own', () => {
    expect(parseQboOk(cloudEvent('qbo.customer.created.v1', '7')).changes.map((c) => [c.entity, c.entityId, c.operation])).toEqual([
      ['Customer', '7', 'Create'],
    ]);
  });

  it('skips CloudEvents it cannot place, and counts them', () => {
    const result = parseQboOk([
      cloudEvent('qbo.customer.updated.v1', '58'),
      { ...cloudEvent('qbo.customer.updated.v1', '59'), intuitaccountid: undefined },
      { ...cloudEvent('qbo.customer.updated.v1', '60'), intuitentityid: undefined },
      cloudEvent('not-an-intuit-type', '61'),
    ]);
    expect(result).toMatchObject({ ok: true, eventCount: 4, skipped: 3 });
    expect(result.changes.map((c) => c.entityId)).toEqual(['58']);
  });

  it('keeps only customers', () => {
    const cloud = parseQboOk([cloudEvent('qbo.vendor.updated.v1', '5'), cloudEvent('qbo.customer.deleted.v1', '6')]);
    const changes = [...parseQboOk(legacy).changes, ...cloud.changes];
    expect(quickBooksCustomerChanges(changes).map((c) => `${c.tenantId}/${c.entityId}/${c.operation}`)).toEqual([
      `${REALM}/58/Update`,
      `${REALM}/123/Merge`,
      '310687/9/Delete',
      `${REALM}/6/Delete`,
    ]);
    expect(quickBooksCustomerChanges(parseQboOk([cloudEvent('qbo.invoice.created.v1', '1')]).changes)).toEqual([]);
  });

  it.each([
    ['an empty batch of CloudEvents', []],
    ['an empty legacy notification', { eventNotifications: [] }],
  ])('accepts %s', (_name, body) => {
    expect(parseQboOk(body)).toEqual({ ok: true, changes: [], eventCount: 0, skipped: 0 });
  });

  it.each([
    ['not JSON', 'eventNotifications', 'invalid-json'],
    ['a Xero body', XERO_CONTACT_BODY, 'invalid-payload'],
    ['an object of neither format', '{"foo":1}', 'invalid-payload'],
    ['an array of non-events', '[{"foo":1}]', 'invalid-payload'],
    ['a CloudEvent without a type', JSON.stringify([{ ...cloudEvent('x', '1'), type: undefined }]), 'invalid-payload'],
    [
      'a legacy entity without an id',
      JSON.stringify({ eventNotifications: [{ realmId: REALM, dataChangeEvent: { entities: [{ name: 'Customer', operation: 'Update' }] } }] }),
      'invalid-payload',
    ],
    ['a legacy notification without a realm', JSON.stringify({ eventNotifications: [{ dataChangeEvent: { entities: [] } }] }), 'invalid-payload'],
    ['null', 'null', 'invalid-payload'],
  ])('refuses %s', (_name, body, reason) => {
    expect(parseQuickBooksWebhook(body)).toMatchObject({ ok: false, reason });
  });
});

describe('readCloudEventType', () => {
  it.each([
    ['qbo.customer.updated.v1', { entity: 'Customer', operation: 'Update' }],
    ['qbo.customer.created.v1', { entity: 'Customer', operation: 'Create' }],
    ['qbo.customer.deleted.v1', { entity: 'Customer', operation: 'Delete' }],
    ['qbo.customer.merged.v1', { entity: 'Customer', operation: 'Merge' }],
    ['qbo.invoice.voided.v1', { entity: 'Invoice', operation: 'Void' }],
    ['qbo.invoice.emailed.v2', { entity: 'Invoice', operation: 'Emailed' }],
    ['qbo.billpayment.updated.v1', { entity: 'BillPayment', operation: 'Update' }],
    ['qbo.customer.updated', { entity: 'Customer', operation: 'Update' }],
    ['qbo.widget.archived.v1', { entity: 'Widget', operation: 'Archived' }],
    ['qbo.customer', undefined],
    ['customer', undefined],
    ['', undefined],
  ])('%s', (type, expected) => {
    expect(readCloudEventType(type)).toEqual(expected);
  });
});
