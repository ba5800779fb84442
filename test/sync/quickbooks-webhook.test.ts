import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signQuickBooksWebhook, startFakeQuickBooks, type FakeQuickBooks } from '../../fakes/quickbooks/server';
import { syncWorkflowId } from '../../domain/inputs';
import type { SyncResult } from '../../workflows/sync';
import { useWorkerTestContext } from '../support/context';
import { aBusiness } from '../support/fixtures';
import { aConnection, contactsOf, providersFor, startTestWebhooks } from './helpers';

let quickbooks: FakeQuickBooks;
const context = useWorkerTestContext(async () => {
  quickbooks = await startFakeQuickBooks();
  return { providers: providersFor({ quickbooks }) };
});
afterAll(async () => quickbooks?.close());

describe('QuickBooks webhooks start the connection sync', () => {
  let realmId: string;
  let connectionId: string;
  let businessId: string;
  let server: Awaited<ReturnType<typeof startTestWebhooks>>;

  beforeAll(async () => {
    const business = await aBusiness(context.database.db, { name: 'Intuit Clinic' });
    businessId = business.id;
    realmId = quickbooks.addRealm();
    connectionId = await aConnection(context.database, business, 'quickbooks', realmId, quickbooks.issueTokens(realmId));
    server = await startTestWebhooks(context, providersFor({ quickbooks }));
  });
  afterAll(async () => server?.close());

  const deliver = (body: string, signature: string) =>
    fetch(`${server.url}/webhooks/quickbooks`, { method: 'POST', headers: { 'content-type': 'application/json', 'intuit-signature': signature }, body });

  it('a signed CloudEvents delivery syncs the connection; unsigned ones get 401', async () => {
    const customer = quickbooks.upsertCustomer(realmId, { GivenName: 'Cloud', FamilyName: 'Event', DisplayName: 'Cloud Event', PrimaryEmailAddr: { Address: 'cloud@example.com' } });
    const body = JSON.stringify([
      {
        specversion: '1.0',
        id: `evt-${customer.Id}`,
        source: 'intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=',
        type: 'qbo.customer.created.v1',
        datacontenttype: 'application/json',
        time: new Date().toISOString(),
        intuitentityid: customer.Id,
        intuitaccountid: realmId,
        data: {},
      },
    ]);
    expect((await deliver(body, Buffer.from('forged').toString('base64'))).status).toBe(401);
    expect((await deliver(body, signQuickBooksWebhook(body, quickbooks.verifierToken))).status).toBe(200);
    await expect
      .poll(async () => (await context.database.sql`select 1 from connections where id = ${connectionId} and last_sync_at is not null`).length, { timeout: 20_000 })
      .toBe(1);
    const result = (await context.worker.client.workflow.getHandle(syncWorkflowId(connectionId)).result()) as SyncResult;
    expect(result.created).toBe(1);
    expect((await contactsOf(context.database, businessId)).map((c) => c.email_normalized)).toEqual(['cloud@example.com']);
  });
});
