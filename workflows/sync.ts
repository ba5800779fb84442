import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  defineSignal,
  setCurrentDetails,
  setHandler,
  sleep,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SyncStart } from '../activities/sync';
import { syncConnectionInput, syncWorkflowId } from '../domain/inputs';
import { BusinessIdAttribute, ConnectionIdAttribute, ProviderAttribute } from '../domain/search-attributes';
import { addSyncCounts, zeroSyncCounts, type SyncCounts, type SyncMode } from '../domain/sync/counts';
import { activitiesWith, db } from './activities';
import { validateInput } from './validate';

export interface SyncResult extends SyncCounts {
  /** Where the next incremental sync starts (ISO 8601); null when the provider has no records yet. */
  cursor: string | null;
  /** The first records that could not be read or stored, and why, each naming the provider's record. */
  warnings: string[];
}

export interface SyncProgress extends SyncCounts {
  status: 'starting' | 'syncing' | 'waiting-for-rate-limit' | 'finishing' | 'completed';
  mode: SyncMode;
  provider?: string;
  pages: number;
  cursor: string | null;
  waitingForRateLimit?: { until: string; reason: string };
  /** A webhook asked for another sync while this one ran: it follows at once. */
  rerunRequested: boolean;
  warnings: string[];
}

export interface SyncCarry {
  runId: string;
  counts: SyncCounts;
  pages: number;
  /** Absent in runs carried over by a worker from before warnings were carried. */
  warnings?: string[];
}

export const syncProgressQuery = defineQuery<SyncProgress>('progress');
/** Sent by the webhook receiver (with start): the provider says something changed. */
export const changesNotifiedSignal = defineSignal<[{ changes?: number }?]>('changesNotified');

const PAGES_PER_RUN = 50;
/** Warnings kept in the result: enough to act on, few enough for the history. */
const MAX_WARNINGS = 50;

/** Provider activities retry an outage with backoff for as long as the connection's outage budget allows. */
function providerActivities(outageBudgetMinutes: number) {
  const budgetSeconds = outageBudgetMinutes * 60;
  const maximumIntervalSeconds = Math.min(300, Math.max(1, Math.floor(budgetSeconds / 20)));
  return activitiesWith({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '20 seconds',
    scheduleToCloseTimeout: `${budgetSeconds} seconds`,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: `${maximumIntervalSeconds} seconds` },
  });
}

/**
 * Brings one connection's contacts in step with Xero or QuickBooks: page by page, each page stored with the new
 * position in one transaction, so a crashed worker resumes from the last stored page. Rate limits are waited out
 * (durably, when long); outages are retried within the connection's budget; long syncs continue as new.
 */
export async function syncConnection(rawInput: unknown, carried?: SyncCarry): Promise<SyncResult> {
  const input = validateInput('syncConnection', syncConnectionInput, rawInput);
  const expectedId = syncWorkflowId(input.connectionId);
  if (workflowInfo().workflowId !== expectedId) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      nonRetryable: true,
      message: `start syncConnection with workflow id "${expectedId}": the id is what keeps two syncs of one connection from running at once`,
    });
  }
  const runId = carried?.runId ?? workflowInfo().runId;
  let counts = carried?.counts ?? zeroSyncCounts();
  let pagesThisRun = 0;
  const progress: SyncProgress = {
    status: 'starting',
    mode: input.mode,
    pages: carried?.pages ?? 0,
    cursor: null,
    rerunRequested: false,
    warnings: carried?.warnings ?? [],
    ...counts,
  };
  setHandler(syncProgressQuery, () => progress);
  // A change notified before a page is requested is read by that page; only one notified after the last request
  // was sent can have been missed, and calls for one more sync.
  let notifiedSinceLastRead = false;
  setHandler(changesNotifiedSignal, () => {
    notifiedSinceLastRead = true;
  });
  const show = () => {
    Object.assign(progress, counts);
    const waiting = progress.waitingForRateLimit ? `; waiting for the rate limit until ${progress.waitingForRateLimit.until} (${progress.waitingForRateLimit.reason})` : '';
    setCurrentDetails(
      `**${progress.status}** ${progress.provider ?? ''} ${progress.mode} sync: ${progress.pages} pages, ${counts.fetched} records ` +
        `(${counts.created} created, ${counts.updated} updated, ${counts.linked} linked, ${counts.archived} archived, ` +
        `${counts.unchanged} unchanged, ${counts.failed} failed), ${counts.apiCalls} API calls; cursor ${progress.cursor ?? 'none'}${waiting}`,
    );
  };

  const started: SyncStart = await db.beginSync({ connectionId: input.connectionId, mode: input.mode, runId });
  upsertSearchAttributes([
    { key: BusinessIdAttribute, value: started.businessId },
    { key: ConnectionIdAttribute, value: input.connectionId },
    { key: ProviderAttribute, value: started.provider },
  ]);
  progress.provider = started.provider;
  progress.mode = started.mode;
  progress.cursor = started.cursor;
  progress.status = 'syncing';
  show();
  const provider = providerActivities(started.outageBudgetMinutes);

  let lastPageDone = false;
  try {
    for (;;) {
      notifiedSinceLastRead = false;
      const outcome = await provider.syncPage({ connectionId: input.connectionId, runId });
      if (outcome.kind === 'wait') {
        counts = addSyncCounts(counts, { ...zeroSyncCounts(), apiCalls: outcome.apiCalls });
        progress.status = 'waiting-for-rate-limit';
        progress.waitingForRateLimit = { until: new Date(Date.now() + outcome.waitMs).toISOString(), reason: outcome.reason };
        show();
        await sleep(Math.max(100, outcome.waitMs));
        progress.status = 'syncing';
        progress.waitingForRateLimit = undefined;
        continue;
      }
      counts = addSyncCounts(counts, outcome.counts);
      progress.warnings = [...progress.warnings, ...outcome.warnings].slice(0, MAX_WARNINGS);
      progress.pages += outcome.pages ?? 1;
      progress.cursor = outcome.cursor;
      pagesThisRun += outcome.pages ?? 1;
      show();
      lastPageDone = outcome.done;
      if (outcome.done) break;
      if (pagesThisRun >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested) break;
    }
  } catch (error) {
    const message = describeFailure(error, started, input.connectionId);
    await db.recordSyncFailure({ connectionId: input.connectionId, message });
    throw ApplicationFailure.create({ type: 'SyncFailed', message, nonRetryable: true, cause: error as Error });
  }

  if (!lastPageDone) {
    // History stays bounded: the next run carries on from the stored position with these counts.
    await continueAsNew<typeof syncConnection>(input, { runId, counts, pages: progress.pages, warnings: progress.warnings });
  }
  progress.rerunRequested = notifiedSinceLastRead;
  progress.status = 'finishing';
  show();
  counts = await db.finishSync({ connectionId: input.connectionId, runId, mode: started.mode, counts });
  progress.status = 'completed';
  show();
  if (progress.rerunRequested || notifiedSinceLastRead) await continueAsNew<typeof syncConnection>({ connectionId: input.connectionId, mode: 'incremental' });
  return { ...counts, cursor: progress.cursor, warnings: progress.warnings };
}

function describeFailure(error: unknown, started: SyncStart, connectionId: string): string {
  const name = started.provider === 'xero' ? 'Xero' : 'QuickBooks';
  // The budget is the activity's schedule-to-close timeout: spent while retrying, it ends with the last attempt's error.
  if (error instanceof ActivityFailure && (error.cause instanceof TimeoutFailure || error.retryState === 'TIMEOUT')) {
    const minutes = started.outageBudgetMinutes;
    return (
      `${name} stayed unavailable for longer than the connection's outage budget (${minutes} minute${minutes === 1 ? '' : 's'}): ` +
      `${error.cause?.message ?? 'no answer'}. ` +
      `Nothing stored was lost: the next sync of connection ${connectionId} resumes from cursor ${started.cursor ?? 'start'} or later`
    );
  }
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
