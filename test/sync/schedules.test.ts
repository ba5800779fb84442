import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { setConnectionStatus } from '../../db/connections';
import { applySchedules, syncScheduleId } from '../../worker/schedules';
import { useWorkerTestContext } from '../support/context';
import { aBusiness } from '../support/fixtures';
import { aConnection } from './helpers';

/**
 * A schedule's pause state as its scheduler settles it: a pause or unpause is a request to the schedule, and a
 * description read straight after it on a busy server can still show the state from before. Gives up after 10 s.
 */
async function settledPauseState(client: Client, scheduleId: string, expected: boolean): Promise<boolean> {
  let paused = (await client.schedule.getHandle(scheduleId).describe()).state.paused;
  for (let i = 0; i < 50 && paused !== expected; i++) {
    await sleep(200);
    paused = (await client.schedule.getHandle(scheduleId).describe()).state.paused;
  }
  return paused;
}

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
      expect(await settledPauseState(client, syncScheduleId(xeroId), true)).toBe(true);
      expect((await client.schedule.getHandle(syncScheduleId(qboId)).describe()).spec.intervals?.[0]?.every).toBe(5 * 60_000);

      await setConnectionStatus(context.database.sql, xeroId, 'active');
      await applySchedules(client, context.database.sql, taskQueue);
      expect(await settledPauseState(client, syncScheduleId(xeroId), false)).toBe(false);

      await context.database.sql`delete from connections where id = ${qboId}`;
      const third = await applySchedules(client, context.database.sql, taskQueue);
      expect(third.deleted).toEqual([syncScheduleId(qboId)]);
    } finally {
      for (const id of [xeroId, qboId]) await client.schedule.getHandle(syncScheduleId(id)).delete().catch(() => undefined);
    }
  });
});
