import { afterAll, describe, expect, it } from 'vitest';
import { startFakeXero, type FakeXero } from '../../fakes/xero/server';
import { publishedLimits } from '../../connectors/providers/limiter';
import type { SyncProgress } from '../../workflows/sync';
import { useWorkerTestContext } from '../support/context';
import { aBusiness } from '../support/fixtures';
import { aConnection, contactsOf, providersFor, startSync } from './helpers';

let xero: FakeXero;
const DAY_LIMIT = 3;
const context = useWorkerTestContext(async () => {
  xero = await startFakeXero();
  // A tenant on a tiny daily allowance, so that a sync spends it within seconds.
  return { providers: providersFor({ xero }), sync: { pageSize: 10, limits: { xero: { ...publishedLimits.xero, perDay: DAY_LIMIT } } } };
});
afterAll(async () => xero?.close());

describe('a spent day limit', () => {
  it('makes the sync wait for the next window, visibly, instead of failing', async () => {
    const business = await aBusiness(context.database.db, { name: 'Daily Clinic' });
    const tenantId = xero.addTenant();
    const start = Date.now() - 60 * 60_000;
    for (let i = 0; i < 60; i++) {
      xero.upsertContact(tenantId, { FirstName: `Day${i}`, LastName: 'Limit', Name: `Day${i} Limit`, EmailAddress: `day${i}@example.com`, UpdatedDateUTC: start + i * 5_000 });
    }
    const connectionId = await aConnection(context.database, business, 'xero', tenantId, xero.issueTokens([tenantId]));
    const handle = await startSync(context.worker, connectionId, 'full');
    try {
      await expect
        .poll(async () => (await handle.query<SyncProgress>('progress')).status, { timeout: 30_000, interval: 250 })
        .toBe('waiting-for-rate-limit');
      const progress = await handle.query<SyncProgress>('progress');
      expect(progress.waitingForRateLimit?.reason).toBe('day');
      expect(Date.parse(progress.waitingForRateLimit?.until ?? '') - Date.now()).toBeGreaterThan(23 * 60 * 60_000);
      expect(progress.apiCalls).toBe(DAY_LIMIT);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      // What the allowed calls brought is stored; nothing was asked of Xero beyond the allowance.
      expect(await contactsOf(context.database, business.id)).toHaveLength(DAY_LIMIT * 10 - (DAY_LIMIT - 1));
      expect(xero.log.filter((e) => e.kind === 'api' && e.tenantId === tenantId)).toHaveLength(DAY_LIMIT);
    } finally {
      await handle.terminate('test over');
    }
  });
});
