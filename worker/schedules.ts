import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { listConnections, type ConnectionSummary } from '../db/connections';
import { syncWorkflowId } from '../domain/inputs';
import { BusinessIdAttribute, ConnectionIdAttribute, ProviderAttribute } from '../domain/search-attributes';
import type postgres from 'postgres';

export const syncScheduleId = (connectionId: string) => `sync-schedule-${connectionId}`;
const SCHEDULE_PREFIX = 'sync-schedule-';

export interface ScheduleReport {
  created: string[];
  updated: string[];
  paused: string[];
  deleted: string[];
}

/** Spread each connection's runs over up to a tenth of its interval (at most a minute) so they do not start at once. */
const jitterOf = (minutes: number) => `${Math.min(60, Math.max(1, Math.floor((minutes * 60) / 10)))} seconds`;

function scheduleFor(connection: ConnectionSummary, taskQueue: string): ScheduleOptions {
  return {
    scheduleId: syncScheduleId(connection.id),
    spec: { intervals: [{ every: `${connection.syncIntervalMinutes} minutes` }], jitter: jitterOf(connection.syncIntervalMinutes) },
    action: {
      type: 'startWorkflow',
      workflowType: 'syncConnection',
      args: [{ connectionId: connection.id, mode: 'incremental' }],
      workflowId: syncWorkflowId(connection.id),
      taskQueue,
      typedSearchAttributes: [
        { key: BusinessIdAttribute, value: connection.businessId },
        { key: ConnectionIdAttribute, value: connection.id },
        { key: ProviderAttribute, value: connection.provider },
      ],
    },
    // A sync still running when the next is due is left to finish; the next interval picks up what it did not.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    state: {
      paused: connection.status !== 'active',
      note: connection.status === 'active' ? `sync of ${connection.provider} connection ${connection.id}` : `connection is ${connection.status}`,
    },
  };
}

/**
 * Makes Temporal's schedules match the connections: one schedule per connection, paused while the connection is not
 * active, removed when the connection is gone. Schedules are the only scheduler: nothing else starts periodic syncs.
 */
export async function applySchedules(client: Client, sql: postgres.Sql, taskQueue: string): Promise<ScheduleReport> {
  const report: ScheduleReport = { created: [], updated: [], paused: [], deleted: [] };
  const connections = await listConnections(sql);
  const wanted = new Set(connections.map((c) => syncScheduleId(c.id)));
  for (const connection of connections) {
    const options = scheduleFor(connection, taskQueue);
    const handle = client.schedule.getHandle(options.scheduleId);
    let exists = true;
    try {
      await handle.describe();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      exists = false;
    }
    if (!exists) {
      await client.schedule.create(options);
      report.created.push(options.scheduleId);
    } else {
      // The pause state goes in the same update: a separate pause or unpause request can reach the schedule in the
      // same step as the update, which then sets the state it carries (the one from before) back over it.
      await handle.update((previous) => ({
        ...previous,
        spec: options.spec,
        action: options.action,
        policies: { ...previous.policies, ...options.policies },
        state: { ...previous.state, paused: options.state?.paused ?? false, note: options.state?.note },
      }));
      report.updated.push(options.scheduleId);
    }
    if (connection.status !== 'active') report.paused.push(options.scheduleId);
  }
  for await (const schedule of client.schedule.list()) {
    if (!schedule.scheduleId.startsWith(SCHEDULE_PREFIX) || wanted.has(schedule.scheduleId)) continue;
    const handle = client.schedule.getHandle(schedule.scheduleId);
    // Only ours: another deployment may share the namespace with its own queue and connections.
    const description = await handle.describe().catch(() => undefined);
    if (description?.action.type !== 'startWorkflow' || description.action.taskQueue !== taskQueue) continue;
    await handle.delete();
    report.deleted.push(schedule.scheduleId);
  }
  return report;
}
