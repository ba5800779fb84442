import { ScheduleOverlapPolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { setConnectionStatus } from '../../db/connections';
import { applySchedules, syncScheduleId } from '../../worker/schedules';
import { useWorkerTestContext } from '../support/context';
import { aBusiness } from '../support/fixtures';
import { aConnection } from './helpers';

const context = useWorkerTestContext();
const tokens = { access_token: 'a', refresh_token: 'r', expires_in: 1800 };

describe('schedules apply', () => {
  it('keeps one schedule per connection: created, updated, paused with its connection, removed with it', async () => {
    const business = await aBusiness(context.database.db, { name: 'Scheduled Clinic' });
    const xeroId = await aConnection(context.database, business, 'xero', 'tenant-s1', tokens);
    const qboId = await aConnection(context.database, business, 'quickbooks', '9130350000000001', tokens);
    const { client, taskQueue } = context.worker;
    try {
      const first = await applySchedules(client, context.database.sql, taskQueue);
      expect(first.created.sort()).toEqual([syncScheduleId(xeroId), syncScheduleId(qboId)].sort());

      const described = await client.schedule.getHandle(syncScheduleId(xeroId)).describe();
      expect(described.spec.intervals?.[0]?.every).toBe(15 * 60_000);
      expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(described.state.paused).toBe(false);
      expect(described.action.type === 'startWorkflow' && described.action.workflowId).toBe(`sync-${xeroId}`);
      expect(described.action.type === 'startWorkflow' && described.action.args).toEqual([{ connectionId: xeroId, mode: 'incremental' }]);

      await context.database.sql`update connections set sync_interval_minutes = 5 where id = ${qboId}`;
      await setConnectionStatus(context.database.sql, xeroId, 'disabled');
      const second = await applySchedules(client, context.database.sql, taskQueue);
      expect(second.created).toEqual([]);
      expect(second.paused).toEqual([syncScheduleId(xeroId)]);
      expect((await client.schedule.getHandle(syncScheduleId(xeroId)).describe()).state.paused).toBe(true);
      expect((await client.schedule.getHandle(syncScheduleId(qboId)).describe()).spec.intervals?.[0]?.every).toBe(5 * 60_000);

      await setConnectionStatus(context.database.sql, xeroId, 'active');
      await applySchedules(client, context.database.sql, taskQueue);
      expect((await client.schedule.getHandle(syncScheduleId(xeroId)).describe()).state.paused).toBe(false);

      await context.database.sql`delete from connections where id = ${qboId}`;
      const third = await applySchedules(client, context.database.sql, taskQueue);
      expect(third.deleted).toEqual([syncScheduleId(qboId)]);
    } finally {
      for (const id of [xeroId, qboId]) await client.schedule.getHandle(syncScheduleId(id)).delete().catch(() => undefined);
    }
  });
});
