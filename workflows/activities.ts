import { ActivityFailure, ApplicationFailure, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

/**
 * Lifts a non-retryable failure of ours out of its ActivityFailure wrapper, so that the workflow's own failure reads
 * "contactId: no contact …" in the Temporal UI and CLI rather than "Activity task failed".
 */
async function actionable<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable) {
      throw ApplicationFailure.create({ type: error.cause.type ?? undefined, message: error.cause.message, nonRetryable: true, cause: error });
    }
    throw error;
  }
}

type Actionable<A> = { [K in keyof A]: A[K] extends (...args: infer P) => Promise<infer R> ? (...args: P) => Promise<R> : never };

export function activitiesWith(options: ActivityOptions): Actionable<Activities> {
  const activities = proxyActivities<Activities>(options);
  return new Proxy(activities, {
    get: (target, name: string) => (...args: unknown[]) =>
      actionable((target[name as keyof Activities] as (...a: unknown[]) => Promise<unknown>)(...args)),
  }) as Actionable<Activities>;
}

/**
 * Database activities: short, idempotent transactions, retried with backoff through a database outage of up to an
 * hour. Our own failures (bad input, unknown records, identity conflicts) are non-retryable where they are raised.
 */
export const db = activitiesWith({ startToCloseTimeout: '30 seconds', scheduleToCloseTimeout: '1 hour', retry });

/**
 * File activities: a chunk of an import or a whole export. They heartbeat, so a worker that dies is noticed within
 * the heartbeat timeout and the work resumes elsewhere from its last committed position.
 */
export const files = activitiesWith({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '15 seconds',
  scheduleToCloseTimeout: '6 hours',
  retry,
});
