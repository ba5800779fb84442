import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeXero, type FakeXero } from '../../fakes/xero/server';
import { accessTokenFor } from '../../db/connections';
import { createXeroConnector } from '../../connectors/providers/xero';
import { syncWorkflowId } from '../../domain/inputs';
import type { SyncResult } from '../../workflows/sync';
import { useWorkerTestContext } from '../support/context';
import { aBusiness } from '../support/fixtures';
import { aConnection, contactsOf, providersFor, secretBox, startTestWebhooks } from './helpers';

let xero: FakeXero;
const context = useWorkerTestContext(async () => {
  xero = await startFakeXero();
  return { providers: providersFor({ xero }) };
});
afterAll(async () => xero?.close());

describe('Xero webhooks start the connection sync', () => {
  let tenantId: string;
  let connectionId: string;
  let businessId: string;
  let server: Awaited<ReturnType<typeof startTestWebhooks>>;

  beforeAll(async () => {
    const business = await aBusiness(context.database.db, { name: 'Webhook Clinic' });
    businessId = business.id;
    tenantId = xero.addTenant();
    connectionId = await aConnection(context.database, business, 'xero', tenantId, xero.issueTokens([tenantId]));
    server = await startTestWebhooks(context, providersFor({ xero }));
  });
  afterAll(async () => server?.close());

  const deliver = (body: string, signature: string) =>
    fetch(`${server.url}/webhooks/xero`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-xero-signature': signature }, body });

  const eventBody = (contactId: string, entropy: string) =>
    JSON.stringify({
      events: [
        {
          resourceUrl: `https://api.xero.com/api.xro/2.0/Contacts/${contactId}`,
          resourceId: contactId,
          eventDateUtc: new Date().toISOString().replace('Z', ''),
          eventType: 'CREATE',
          eventCategory: 'CONTACT',
          tenantId,
          tenantType: 'ORGANISATION',
        },
      ],
      firstEventSequence: 1,
      lastEventSequence: 1,
      entropy,
    });

  async function syncRuns(): Promise<number> {
    const runs = await context.database.sql<{ n: number }[]>`
      select count(*)::int as n from connections where id = ${connectionId} and last_sync_at is not null`;
    return runs[0]?.n ?? 0;
  }

  it('answers the intent-to-receive: 200 when signed with the key, 401 when not', async () => {
    const body = JSON.stringify({ events: [], firstEventSequence: 0, lastEventSequence: 0, entropy: 'INTENT' });
    expect((await deliver(body, xero.signWebhook(body))).status).toBe(200);
    expect((await deliver(body, Buffer.from('not the signature').toString('base64'))).status).toBe(401);
  });

  it('a signed contact event syncs the connection; a replay of it starts nothing', async () => {
    const created = xero.upsertContact(tenantId, { FirstName: 'Webhook', LastName: 'Person', Name: 'Webhook Person', EmailAddress: 'hook@example.com' });
    const body = eventBody(created.ContactID, 'A1');
    expect((await deliver(body, xero.signWebhook(body))).status).toBe(200);
    await expect.poll(() => syncRuns(), { timeout: 20_000 }).toBe(1);
    const result = (await context.worker.client.workflow.getHandle(syncWorkflowId(connectionId)).result()) as SyncResult;
    expect(result.created).toBe(1);
    expect((await contactsOf(context.database, businessId)).map((c) => c.email_normalized)).toEqual(['hook@example.com']);

    const callsBefore = xero.log.filter((e) => e.kind === 'api').length;
    expect((await deliver(body, xero.signWebhook(body))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(xero.log.filter((e) => e.kind === 'api').length).toBe(callsBefore);
  });

  it('an unverified event gets 401 and starts nothing', async () => {
    const created = xero.upsertContact(tenantId, { FirstName: 'Forged', LastName: 'Event', Name: 'Forged Event', EmailAddress: 'forged@example.com' });
    const body = eventBody(created.ContactID, 'B2');
    const callsBefore = xero.log.filter((e) => e.kind === 'api').length;
    const response = await deliver(body, xero.signWebhook(`${body} `));
    expect(response.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(xero.log.filter((e) => e.kind === 'api').length).toBe(callsBefore);
    expect((await contactsOf(context.database, businessId)).map((c) => c.email_normalized)).not.toContain('forged@example.com');
  });
});

describe('token refresh is single-flight', () => {
  it('concurrent callers with an expired token cause one refresh, and the rotated token is the one stored', async () => {
    const business = await aBusiness(context.database.db, { name: 'Token Clinic' });
    const tenantId = xero.addTenant();
    const issued = xero.issueTokens([tenantId]);
    const connectionId = await aConnection(context.database, business, 'xero', tenantId, { ...issued, expires_in: -60 });
    const connector = createXeroConnector(providersFor({ xero }).xero);
    const refreshesBefore = xero.tokenRefreshes;
    const tokens = await Promise.all(
      Array.from({ length: 6 }, () => accessTokenFor(context.database.sql, secretBox, connectionId, (refresh) => connector.refresh(refresh))),
    );
    expect(xero.tokenRefreshes).toBe(refreshesBefore + 1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(tokens.filter((t) => t.refreshed)).toHaveLength(1);
    // The stored refresh token is the rotated one: it refreshes again (not from the old one's grace period).
    const graceBefore = xero.graceRefreshes;
    const again = await accessTokenFor(context.database.sql, secretBox, connectionId, (refresh) => connector.refresh(refresh), { staleAccessToken: tokens[0]?.accessToken });
    expect(again.refreshed).toBe(true);
    expect(xero.tokenRefreshes).toBe(refreshesBefore + 2);
    expect(xero.graceRefreshes).toBe(graceBefore);
    const page = await connector.contactsPage(again.accessToken, tenantId, { since: null, page: 1, pageSize: 10 });
    expect(page.contacts).toEqual([]);
  });
});
