import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { findConnection } from '../../db/connections';
import { startFakeXero, type FakeXero } from '../../fakes/xero/server';
import { useWorkerTestContext } from '../support/context';
import { aBusiness } from '../support/fixtures';
import { aConnection, contactsOf, providersFor, sync } from './helpers';

let xero: FakeXero;
const context = useWorkerTestContext(async () => {
  xero = await startFakeXero();
  return { providers: providersFor({ xero }) };
});
afterAll(async () => xero?.close());

describe('an outage longer than the connection allows', () => {
  it('fails the sync with what happened and what comes next, keeping the cursor and the contacts', { timeout: 150_000 }, async () => {
    const business = await aBusiness(context.database.db, { name: 'Patient Clinic' });
    const tenantId = xero.addTenant();
    xero.upsertContact(tenantId, { FirstName: 'Before', LastName: 'Outage', Name: 'Before Outage', EmailAddress: 'before@example.com', UpdatedDateUTC: Date.now() - 60_000 });
    const connectionId = await aConnection(context.database, business, 'xero', tenantId, xero.issueTokens([tenantId]), { outageBudgetMinutes: 1 });
    const first = await sync(context.worker, connectionId);
    expect(first.created).toBe(1);
    const cursorBefore = (await findConnection(context.database.sql, connectionId))?.cursor;

    xero.upsertContact(tenantId, { FirstName: 'During', LastName: 'Outage', Name: 'During Outage', EmailAddress: 'during@example.com' });
    xero.faults.outage(120_000);
    try {
      const failure = await sync(context.worker, connectionId).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const message = (failure as WorkflowFailedError).cause?.message ?? '';
      expect(message).toContain('stayed unavailable for longer than the connection\'s outage budget (1 minute)');
      expect(message).toContain('Nothing stored was lost');
      const connection = await findConnection(context.database.sql, connectionId);
      expect(connection?.status).toBe('active');
      expect(connection?.lastError).toContain('outage budget');
      expect((connection?.cursor as { position?: unknown } | null)?.position).toEqual((cursorBefore as { position?: unknown }).position);
      expect((await contactsOf(context.database, business.id)).map((c) => c.email_normalized)).toEqual(['before@example.com']);
      expect(xero.log.filter((e) => e.rejected === 'outage').length).toBeGreaterThan(3);
    } finally {
      xero.faults.clear();
    }
    // Once Xero is back, the next sync picks up what the failed one could not.
    const after = await sync(context.worker, connectionId);
    expect(after.created).toBe(1);
  });
});
