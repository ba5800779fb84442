import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Database activities: short, idempotent transactions. Retried with backoff through a database outage of up to an
 * hour; our own failures (bad input, unknown records, identity conflicts) are marked non-retryable where they raise.
 */
const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

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

export const db = new Proxy(activities, {
  get: (target, name: string) => (...args: unknown[]) =>
    actionable((target[name as keyof Activities] as (...a: unknown[]) => Promise<unknown>)(...args)),
}) as Actionable<Activities>;
