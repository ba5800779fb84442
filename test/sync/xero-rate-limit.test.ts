import { afterAll, describe, expect, it } from 'vitest';
import { startFakeXero, type FakeXero } from '../../fakes/xero/server';
import { useWorkerTestContext } from '../support/context';
import { aBusiness } from '../support/fixtures';
import { aConnection, contactsOf, providersFor, startSync } from './helpers';
import type { SyncResult } from '../../workflows/sync';

let xero: FakeXero;
const context = useWorkerTestContext(async () => {
  // Xero's real limits on both sides: 60 calls a minute and 5 at once per tenant.
  xero = await startFakeXero();
  return { providers: providersFor({ xero }), sync: { pageSize: 10 } };
});
afterAll(async () => xero?.close());

describe('three syncs of one Xero tenant at once', () => {
  it('share the tenant limits: never more than 60 calls in any minute or 5 in flight, and no 429', { timeout: 180_000 }, async () => {
    const tenantId = xero.addTenant();
    const start = Date.now() - 24 * 60 * 60_000;
    for (let i = 0; i < 240; i++) {
      xero.upsertContact(tenantId, { FirstName: `Rate${i}`, LastName: 'Limited', Name: `Rate${i} Limited`, EmailAddress: `rate${i}@example.com`, UpdatedDateUTC: start + i * 5_000 });
    }
    const connections: { businessId: string; connectionId: string }[] = [];
    for (const name of ['North', 'South', 'East']) {
      const business = await aBusiness(context.database.db, { name: `${name} Clinic` });
      connections.push({ businessId: business.id, connectionId: await aConnection(context.database, business, 'xero', tenantId, xero.issueTokens([tenantId])) });
    }
    const began = Date.now();
    const handles = await Promise.all(connections.map((c) => startSync(context.worker, c.connectionId, 'full')));
    const results = (await Promise.all(handles.map((h) => h.result()))) as SyncResult[];
    const elapsedMs = Date.now() - began;

    const apiCalls = xero.log.filter((e) => e.kind === 'api' && e.tenantId === tenantId);
    expect(apiCalls.length).toBeGreaterThan(60); // enough calls that the minute limit had to be waited out
    expect(elapsedMs).toBeGreaterThan(60_000);
    expect(apiCalls.filter((e) => e.status === 429)).toEqual([]);
    expect(xero.maxInWindow(tenantId)).toBeLessThanOrEqual(60);
    expect(xero.maxInFlight(tenantId)).toBeLessThanOrEqual(5);
    for (const [i, result] of results.entries()) {
      expect(result.created).toBe(240);
      expect(result.apiCalls).toBeGreaterThanOrEqual(24); // 240 records, 10 a page
      expect(await contactsOf(context.database, (connections[i] as { businessId: string }).businessId)).toHaveLength(240);
    }
    expect(results.reduce((sum, r) => sum + r.apiCalls, 0)).toBe(apiCalls.length);
  });
});
