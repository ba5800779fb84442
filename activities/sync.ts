import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from 'postgres';
import { InvalidGrantError, ProviderError } from '../connectors/providers/errors';
import { createProviderLimiter, RateLimitWait, type ProviderLimiter, type ProviderLimiterOptions } from '../connectors/providers/limiter';
import { createQuickBooksConnector, type QuickBooksConnector } from '../connectors/providers/quickbooks';
import { createXeroConnector, type XeroConnector } from '../connectors/providers/xero';
import type { ProviderConfig } from '../worker/config';
import { accessTokenFor, connectionUnusable, findConnection, type ConnectionSummary } from '../db/connections';
import { holdKeysOfUsers, loadKeysOfUsers, loadStoredContacts, refreshPlannerStatistics, writeContacts } from '../db/contact-bulk';
import { applyArchiveRule } from '../db/archive';
import { SwitchboardError } from '../domain/errors';
import { planChunk, refuseKeysOfUsers, type ChunkPlan, type ValidRow } from '../domain/import/plan';
import type { RowProblem } from '../domain/import/rows';
import { canUseChangeDataCapture, nextPosition, startOfTime, type SyncPosition } from '../domain/sync/cursor';
import { fromQboCustomer } from '../domain/sync/quickbooks';
import type { Provider, RemoteContact } from '../domain/sync/remote';
import { fromXeroContact, type XeroContactShape } from '../domain/sync/xero';
import { withoutNul } from '../domain/text';
import { addSyncCounts, zeroSyncCounts, type SyncCounts, type SyncMode } from '../domain/sync/counts';
import type { SecretBox } from '../worker/secret-box';

export interface SyncDeps {
  sql: Sql;
  secretBox: SecretBox;
  xero: XeroConnector;
  quickbooks: QuickBooksConnector;
  limiter: ProviderLimiter;
  /** Records per provider page: 1,000, the most both providers allow. */
  pageSize?: number;
  /** Longer rate-limit waits are slept by the workflow, durably, instead of inside an activity. */
  maxInlineWaitMs?: number;
}

export type SyncTuning = ProviderLimiterOptions & Pick<SyncDeps, 'pageSize' | 'maxInlineWaitMs'>;

/** The connectors for the configured provider endpoints and a limiter shared through this database. */
export function syncDependencies(sql: Sql, providers: ProviderConfig, tuning: SyncTuning = {}): Omit<SyncDeps, 'sql' | 'secretBox'> {
  return {
    xero: createXeroConnector(providers.xero),
    quickbooks: createQuickBooksConnector(providers.quickbooks),
    limiter: createProviderLimiter(sql, tuning),
    pageSize: tuning.pageSize,
    maxInlineWaitMs: tuning.maxInlineWaitMs,
  };
}

/** What a connection's `cursor` column holds. */
export interface StoredCursor {
  position: SyncPosition;
  run?: {
    id: string;
    mode: SyncMode;
    via?: 'cdc' | 'query';
    /**
     * What the current `syncPage` call has stored so far, kept with the position it reached: a call whose worker dies
     * after storing pages is retried as the same call, and its result still counts every page once.
     */
    call?: { id: string; counts: SyncCounts; pages: number };
  };
  /**
   * QuickBooks' CDC stopped at its cap: the deletions it left out appear in no query, so the next sync runs full,
   * which notices records that are gone.
   */
  fullPending?: boolean;
}

export interface SyncStart {
  /** The mode this run reads in: full when asked, or when an earlier run left deletions it could not see. */
  mode: SyncMode;
  businessId: string;
  provider: 'xero' | 'quickbooks';
  tenantId: string;
  outageBudgetMinutes: number;
  cursor: string | null;
}

export type PageOutcome =
  /** `pages`: how many pages this call stored (absent in histories from before calls stored several). */
  | { kind: 'page'; counts: SyncCounts; pages?: number; done: boolean; cursor: string | null; warnings: string[] }
  | { kind: 'wait'; waitMs: number; reason: string; apiCalls: number };

const cursorOf = (connection: ConnectionSummary): StoredCursor => {
  const stored = connection.cursor as Partial<StoredCursor> | null;
  return {
    position: stored?.position ?? startOfTime(),
    ...(stored?.run ? { run: stored.run } : {}),
    ...(stored?.fullPending ? { fullPending: true } : {}),
  };
};
/** A call stores a few pages, then reports to the workflow: progress stays visible and each retry stays small. */
const MAX_PAGES_PER_CALL = 10;
const MAX_CALL_MS = 60_000;

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function createSyncActivities(deps: SyncDeps) {
  const { sql, secretBox, limiter } = deps;
  const pageSize = deps.pageSize ?? 1000;
  const maxInlineWaitMs = deps.maxInlineWaitMs ?? 20_000;

  async function usableConnection(connectionId: string): Promise<ConnectionSummary> {
    const connection = await findConnection(sql, connectionId);
    if (!connection) throw new SwitchboardError('NotFound', `connectionId: no connection ${connectionId} (list them with \`switchboard connections list\`)`);
    if (connection.status !== 'active') throw connectionUnusable(connection);
    return connection;
  }

  /** A provider call within the rate limits, with a fresh token, refreshing once when the provider refuses the token. */
  async function callProvider<T>(connection: ConnectionSummary, counter: { apiCalls: number }, call: (accessToken: string) => Promise<T>): Promise<T> {
    const refresh = (refreshToken: string) => (connection.provider === 'xero' ? deps.xero : deps.quickbooks).refresh(refreshToken);
    const token = async (stale?: string) => {
      try {
        return (await accessTokenFor(sql, secretBox, connection.id, refresh, { staleAccessToken: stale })).accessToken;
      } catch (error) {
        throw asFailure(error);
      }
    };
    const once = async (accessToken: string) =>
      limiter.run(connection.provider, connection.tenantId, async () => {
        counter.apiCalls += 1;
        return call(accessToken);
      }, { maxWaitMs: maxInlineWaitMs, onWait: (waitMs, reason) => heartbeat({ waitingForRateLimit: { waitMs, reason } }) });
    const accessToken = await token();
    try {
      return await once(accessToken);
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'unauthorized') return once(await token(accessToken));
      throw error;
    }
  }

  /** Turns provider trouble into Temporal failures that retry the right way, with a message a person can act on. */
  function asFailure(error: unknown): unknown {
    if (error instanceof InvalidGrantError) return error;
    if (!(error instanceof ProviderError)) return error;
    switch (error.kind) {
      case 'rate-limited':
        return ApplicationFailure.create({
          type: 'RateLimited',
          message: `${error.message}; retrying after ${Math.ceil((error.details.retryAfterMs ?? 60_000) / 1000)} s`,
          nextRetryDelay: error.details.retryAfterMs ?? 60_000,
        });
      case 'unavailable':
      case 'unauthorized':
        return ApplicationFailure.create({ type: 'ProviderUnavailable', message: error.message });
      case 'forbidden':
        return ApplicationFailure.create({
          type: 'ProviderForbidden',
          message: `${error.message}. The app no longer has access to this organisation: reconnect it with \`switchboard connect\``,
          nonRetryable: true,
        });
      case 'rejected':
        return ApplicationFailure.create({ type: 'ProviderRejected', message: error.message, nonRetryable: true });
    }
  }

  /** Rate headers say the tenant has no calls left: every worker holds back until the window moves on. */
  async function observeRateHeaders(connection: ConnectionSummary, headers: Record<string, string>): Promise<void> {
    if (headers['x-daylimit-remaining'] === '0') {
      await limiter.pause(connection.provider, connection.tenantId, await limiter.windowEnd(connection.provider, connection.tenantId, 'day'), 'day limit spent');
    } else if (headers['x-minlimit-remaining'] === '0') {
      await limiter.pause(connection.provider, connection.tenantId, await limiter.windowEnd(connection.provider, connection.tenantId, 'minute'), 'minute limit spent');
    }
  }

  async function fetchPage(connection: ConnectionSummary, cursor: StoredCursor, counter: { apiCalls: number }) {
    const { position } = cursor;
    if (connection.provider === 'xero') {
      const page = await callProvider(connection, counter, (token) => deps.xero.contactsPage(token, connection.tenantId, { ...position, pageSize }));
      await observeRateHeaders(connection, page.headers);
      return { records: page.contacts as XeroContactShape[], via: 'query' as const, capped: false };
    }
    const useCdc = cursor.run?.mode !== 'full' && cursor.run?.via !== 'query' && canUseChangeDataCapture(position.since, Date.now());
    if (useCdc) {
      const since = position.since as number;
      const page = await callProvider(connection, counter, (token) => deps.quickbooks.changedCustomers(token, connection.tenantId, since));
      return { records: page.customers, via: 'cdc' as const, capped: page.customers.length >= 1000 };
    }
    const page = await callProvider(connection, counter, (token) => deps.quickbooks.customersPage(token, connection.tenantId, { ...position, pageSize }));
    return { records: page.customers, via: 'query' as const, capped: false };
  }

  return {
    async beginSync(input: { connectionId: string; mode: SyncMode; runId: string }): Promise<SyncStart> {
      const connection = await usableConnection(input.connectionId);
      const cursor = cursorOf(connection);
      let mode = cursor.run?.id === input.runId ? cursor.run.mode : input.mode;
      if (cursor.run?.id !== input.runId) {
        if (cursor.fullPending) mode = 'full';
        // A full run reads everything again from the start; an incremental one carries on from the stored position.
        const next: StoredCursor = {
          position: mode === 'full' ? startOfTime() : cursor.position,
          run: { id: input.runId, mode },
          ...(cursor.fullPending ? { fullPending: true } : {}),
        };
        await sql`update connections set cursor = ${JSON.stringify(next)}::jsonb, updated_at = now() where id = ${connection.id}`;
      }
      return {
        mode,
        businessId: connection.businessId,
        provider: connection.provider,
        tenantId: connection.tenantId,
        outageBudgetMinutes: connection.outageBudgetMinutes,
        cursor: isoOrNull(cursor.position.since),
      };
    },

    /**
     * Reads the next pages of changes and stores each in one transaction with the new position, so a crash at any
     * point resumes from the last stored page and a re-read page only finds its records unchanged. The request for a
     * page goes out while the page before it is being stored (its position is known before it is stored), which
     * keeps the sync at the pace the provider's rate limit allows rather than that plus the time to store.
     */
    async syncPage(input: { connectionId: string; runId: string }): Promise<PageOutcome> {
      const connection = await usableConnection(input.connectionId);
      const cursor = cursorOf(connection);
      if (cursor.run?.id !== input.runId) throw new SwitchboardError('Conflict', `connection ${connection.id} is being synced by another run (${cursor.run?.id ?? 'none'})`);
      const [business] = await sql<{ default_country: string; identity_policy: 'unique' | 'none' }[]>`
        select default_country, identity_policy from businesses where id = ${connection.businessId}`;
      if (!business) throw new SwitchboardError('NotFound', `the business ${connection.businessId} of connection ${connection.id} is gone`);
      // Once per call, not per page: a user given one of these keys meanwhile fails the page's write as a retryable
      // conflict, and the retry reads them again.
      const keysOfUsers = business.identity_policy === 'unique' ? await loadKeysOfUsers(sql, connection.businessId) : new Set<string>();

      const counter = { apiCalls: 0 };
      const startedAt = Date.now();
      const callId = currentCallId();
      const resumed = callId !== undefined && cursor.run?.call?.id === callId ? cursor.run.call : undefined;
      // A page is read into contacts as soon as it arrives, while the page before it is being stored.
      const request = (from: StoredCursor) => {
        const page = fetchPage(connection, from, counter).then((fetched) => ({ ...fetched, ...readRecords(connection.provider, fetched.records, business.default_country) }));
        // Awaited later; until then a failure must not count as unhandled.
        page.catch(() => undefined);
        return page;
      };
      let total = resumed?.counts ?? zeroSyncCounts();
      let pages = resumed?.pages ?? 0;
      let callsStored = 0;
      const warnings: string[] = [];
      const outcome = (done: boolean, position: SyncPosition): PageOutcome => ({
        kind: 'page',
        counts: { ...total, apiCalls: total.apiCalls + counter.apiCalls - callsStored },
        pages,
        done,
        cursor: isoOrNull(position.since),
        warnings: warnings.slice(0, 20),
      });

      let current = cursor;
      let pending = request(current);
      const beat = setInterval(() => heartbeat({ pages }), 5_000);
      try {
        for (;;) {
          let fetched: Awaited<ReturnType<typeof request>>;
          try {
            fetched = await pending;
          } catch (error) {
            // What is stored is reported first; the next call meets the trouble again with nothing to lose.
            if (pages > 0) return outcome(false, current.position);
            if (error instanceof RateLimitWait) return { kind: 'wait', waitMs: error.waitMs, reason: error.reason, apiCalls: counter.apiCalls };
            if (error instanceof ProviderError && error.kind === 'rate-limited') {
              await limiter.pause(connection.provider, connection.tenantId, error.details.retryAfterMs ?? 60_000, `429 (${error.details.problem ?? 'rate limit'})`);
            }
            throw asFailure(error);
          }

          const { remote, failed } = fetched;
          warnings.push(...fetched.warnings);

          let next: StoredCursor;
          let done: boolean;
          if (fetched.capped) {
            // CDC stopped at its cap: what it gave is current state and is stored, but the position moves only through
            // paged queries, which cannot stop short.
            next = { ...current, run: { ...(current.run as NonNullable<StoredCursor['run']>), via: 'query' }, fullPending: true };
            done = false;
          } else {
            const step = nextPosition(current.position, remote.map((r) => r.updatedAt), fetched.via === 'cdc' ? Number.POSITIVE_INFINITY : pageSize);
            next = { ...current, position: step.position };
            done = step.done;
          }
          // Only paged reads have a next page whose request is known now; a CDC read is one answer.
          const more = !done && !fetched.capped && fetched.via === 'query' && pages + 1 < MAX_PAGES_PER_CALL && Date.now() - startedAt < MAX_CALL_MS;
          // Counted before the next request goes out: the calls that brought this page.
          const calls = counter.apiCalls - callsStored;
          if (more) pending = request(next);

          await refreshPlannerStatistics(sql);
          // The cursor stored with the page also holds what this call has stored, this page included.
          const cursorAfter = (counts: SyncCounts): StoredCursor =>
            callId === undefined || !next.run ? next : { ...next, run: { ...next.run, call: { id: callId, counts: addSyncCounts(total, counts), pages: pages + 1 } } };
          const stored = await storeRecords(sql, {
            connection,
            business,
            keysOfUsers,
            remote,
            runId: input.runId,
            mode: current.run?.mode ?? 'incremental',
            read: { fetched: fetched.records.length, failed, apiCalls: calls },
            next: cursorAfter,
          });
          const { counts } = stored;
          warnings.push(...stored.warnings);
          total = addSyncCounts(total, counts);
          pages += 1;
          callsStored += calls;
          current = cursorAfter(counts);
          heartbeat({ pages });
          if (!more) return outcome(done, next.position);
        }
      } finally {
        clearInterval(beat);
      }
    },

    /** After a successful full run: records that were not seen have gone from the provider, and go through the archive rule. */
    async finishSync(input: { connectionId: string; runId: string; mode: SyncMode; counts: SyncCounts }): Promise<SyncCounts> {
      const connection = await usableConnection(input.connectionId);
      const counts = { ...input.counts };
      await sql.begin(async (tx) => {
        if (input.mode === 'full') {
          const gone = await tx<{ contact_id: string }[]>`
            update external_links set remote_active = false, updated_at = now()
            where connection_id = ${connection.id} and remote_active and last_seen_run is distinct from ${input.runId}
            returning contact_id`;
          const outcome = await applyArchiveRule(tx, connection.businessId, gone.map((g) => g.contact_id), { keepIfActiveBeyond: connection.id });
          counts.archived += outcome.archived.length + outcome.deleted.length;
        }
        const cursor = cursorOf(connection);
        const summary = { ...counts, mode: input.mode, runId: input.runId, finishedAt: new Date().toISOString() };
        await tx`
          update connections set cursor = ${JSON.stringify({ position: cursor.position, ...(input.mode !== 'full' && cursor.fullPending ? { fullPending: true } : {}) })}::jsonb, last_sync_at = now(),
            last_sync_summary = ${JSON.stringify(summary)}::jsonb, last_error = null, updated_at = now()
          where id = ${connection.id}`;
      });
      return counts;
    },

    async recordSyncFailure(input: { connectionId: string; message: string }): Promise<void> {
      await sql`update connections set last_error = ${input.message.slice(0, 2000)}, updated_at = now() where id = ${input.connectionId}`;
    },
  };
}

/** A provider's records as contacts to store, with what could not be read said in warnings. */
function readRecords(provider: Provider, records: readonly unknown[], defaultCountry: string): { remote: RemoteContact[]; failed: number; warnings: string[] } {
  const remote: RemoteContact[] = [];
  const warnings: string[] = [];
  let failed = 0;
  for (const record of records) {
    try {
      const read = withoutNul(provider === 'xero' ? fromXeroContact(record as XeroContactShape, defaultCountry) : fromQboCustomer(record as never, defaultCountry));
      remote.push(read);
      warnings.push(...read.warnings.map((w) => `${provider} record ${read.externalId}: ${w}`));
    } catch (error) {
      failed += 1;
      warnings.push(`${provider} record could not be read: ${(error as Error).message}`);
    }
  }
  return { remote, failed, warnings };
}

/** The activity call this is an attempt of, the same across its retries; none outside an activity. */
function currentCallId(): string | undefined {
  try {
    const { workflowExecution, activityId } = Context.current().info;
    return workflowExecution ? `${workflowExecution.runId}/${activityId}` : undefined;
  } catch {
    return undefined;
  }
}

function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called outside an activity (a direct call in a test): nothing to report to.
  }
}

interface StoreInput {
  connection: ConnectionSummary;
  business: { default_country: string; identity_policy: 'unique' | 'none' };
  /** The emails and phones the business's users hold, as identity key strings (`loadKeysOfUsers`). */
  keysOfUsers: ReadonlySet<string>;
  remote: RemoteContact[];
  runId: string;
  mode: SyncMode;
  /** What reading the page counted: records fetched, records that could not be read, API calls. */
  read: { fetched: number; failed: number; apiCalls: number };
  /** The cursor to store with the page, given the page's counts. */
  next: (counts: SyncCounts) => StoredCursor;
}

/**
 * Stores one page: records linked before update their contact when they changed; new records are matched to an
 * existing contact by email or phone (and linked) or create one; records gone inactive take their contact through
 * the archive rule. The new position is written in the same transaction. Under the `unique` policy a record bringing
 * a user's email or phone is refused: counted as failed, with a warning naming the key.
 */
async function storeRecords(sql: Sql, input: StoreInput): Promise<{ counts: SyncCounts; warnings: string[] }> {
  const { connection, remote } = input;
  const businessId = connection.businessId;
  const uniqueIdentity = input.business.identity_policy === 'unique';
  const source = `sync:${connection.provider}:${connection.id}`;
  const counts = zeroSyncCounts();
  // One record per external id: the newest wins if a page repeats one.
  const latest = new Map<string, RemoteContact>();
  for (const record of remote) {
    const seen = latest.get(record.externalId);
    if (!seen || seen.updatedAt <= record.updatedAt) latest.set(record.externalId, record);
  }
  let records = [...latest.values()];
  counts.unchanged += remote.length - records.length;
  const warnings: string[] = [];
  const warn = (record: RemoteContact, problems: readonly RowProblem[]) => {
    for (const p of problems) if (!p.note) warnings.push(`${connection.provider} record ${record.externalId}: ${p.message}`);
  };
  if (uniqueIdentity) {
    // Records gone inactive only ever archive: just those that would be written are refused.
    const { refused } = refuseKeysOfUsers(records.filter((r) => r.active), input.keysOfUsers);
    const refusedRecords = new Set(refused.map((r) => r.item));
    records = records.filter((r) => !refusedRecords.has(r));
    counts.failed += refused.length;
    for (const { item, problems } of refused) warn(item, problems);
  }

  const result = await sql.begin(async (tx) => {
    if (uniqueIdentity) await holdKeysOfUsers(tx, businessId, input.keysOfUsers);
    const links = await tx<{ external_id: string; contact_id: string; remote_updated_at: number | null; remote_active: boolean }[]>`
      select external_id, contact_id, epoch_ms(remote_updated_at) as remote_updated_at, remote_active from external_links
      where connection_id = ${connection.id} and external_id = any(${records.map((r) => r.externalId)}::text[])
      for update`;
    const linkOf = new Map(links.map((l) => [l.external_id, l]));

    const unchanged: RemoteContact[] = [];
    const toArchive: { record: RemoteContact; contactId: string }[] = [];
    const pinned: { record: RemoteContact; contactId: string; reactivate: boolean }[] = [];
    const fresh: RemoteContact[] = [];
    for (const record of records) {
      const link = linkOf.get(record.externalId);
      if (link && link.remote_updated_at === record.updatedAt && link.remote_active === record.active) unchanged.push(record);
      else if (link && !record.active) toArchive.push({ record, contactId: link.contact_id });
      else if (link) pinned.push({ record, contactId: link.contact_id, reactivate: !link.remote_active });
      else if (record.active) fresh.push(record);
      // A record first seen already archived or deleted has nothing to bring: it is not made into a contact.
      else unchanged.push(record);
    }
    counts.unchanged += unchanged.length;

    // A record whose every email and phone a contact of another name holds is not stored, nor linked to it.
    const refuse = (refused: ChunkPlan['refused'], recordOf: (line: number) => RemoteContact) => {
      counts.failed += refused.length;
      for (const { line, problems } of refused) warn(recordOf(line), problems);
    };
    const linkRows: { external_id: string; contact_id: string; remote_updated_at: string; remote_active: boolean }[] = [];
    const link = (record: RemoteContact, contactId: string) =>
      linkRows.push({ external_id: record.externalId, contact_id: contactId, remote_updated_at: new Date(record.updatedAt).toISOString(), remote_active: record.active });

    if (pinned.length > 0) {
      const rows: ValidRow[] = pinned.map((p, i) => ({ line: i + 1, contact: p.record.contact, warnings: [] }));
      const pins = new Map(pinned.map((p, i) => [i + 1, p.contactId]));
      const stored = await loadStoredContacts(tx, businessId, [], pinned.map((p) => p.contactId));
      const plan = planChunk(rows, stored, { onMatch: 'update', uniqueIdentity, pins });
      refuse(plan.refused, (line) => (pinned[line - 1] as (typeof pinned)[number]).record);
      const ids = await writeContacts(tx, businessId, plan, { uniqueIdentity, source });
      const reactivated = new Set<string>();
      for (const row of plan.rows) {
        const entry = pinned[row.line - 1] as (typeof pinned)[number];
        // What the contact did not take from the record: an email that differs from its own, a number another holds.
        warn(entry.record, row.warnings);
        const contactId = ids.get(row.contact) ?? row.contact;
        link(entry.record, contactId);
        if (entry.reactivate) reactivated.add(contactId);
        if (row.outcome === 'created') counts.created += 1;
        else if (row.outcome === 'updated' || entry.reactivate) counts.updated += 1;
        else counts.unchanged += 1;
      }
      if (reactivated.size > 0) {
        await tx`update contacts set status = 'active', archived_at = null, updated_at = now()
                 where business_id = ${businessId} and id = any(${[...reactivated]}::uuid[]) and status = 'archived'`;
      }
    }

    if (fresh.length > 0) {
      const rows: ValidRow[] = fresh.map((record, i) => ({ line: i + 1, contact: record.contact, warnings: [] }));
      const stored = await loadStoredContacts(tx, businessId, fresh.map((r) => r.contact));
      const plan = planChunk(rows, stored, { onMatch: 'update', uniqueIdentity });
      refuse(plan.refused, (line) => fresh[line - 1] as RemoteContact);
      const ids = await writeContacts(tx, businessId, plan, { uniqueIdentity, source });
      for (const row of plan.rows) {
        warn(fresh[row.line - 1] as RemoteContact, row.warnings);
        link(fresh[row.line - 1] as RemoteContact, ids.get(row.contact) ?? row.contact);
        if (row.outcome === 'created') counts.created += 1;
        else counts.linked += 1;
      }
    }

    if (toArchive.length > 0) {
      for (const { record, contactId } of toArchive) link(record, contactId);
      const outcome = await applyArchiveRule(tx, businessId, toArchive.map((a) => a.contactId), { keepIfActiveBeyond: connection.id });
      counts.archived += outcome.archived.length + outcome.deleted.length;
      counts.unchanged += toArchive.length - outcome.archived.length - outcome.deleted.length;
    }

    for (const record of unchanged) {
      const existing = linkOf.get(record.externalId);
      if (existing) link(record, existing.contact_id);
    }
    if (linkRows.length > 0) {
      await tx`
        insert into external_links (contact_id, business_id, provider, connection_id, external_id, remote_updated_at, remote_active, last_seen_run)
        select x.contact_id, ${businessId}, ${connection.provider}, ${connection.id}, x.external_id, x.remote_updated_at, x.remote_active,
          ${input.mode === 'full' ? input.runId : null}
        from json_to_recordset(${JSON.stringify(linkRows)}::json)
          as x(external_id text, contact_id uuid, remote_updated_at timestamptz, remote_active boolean)
        join contacts c on c.id = x.contact_id
        on conflict (connection_id, external_id) do update set
          contact_id = excluded.contact_id, remote_updated_at = excluded.remote_updated_at, remote_active = excluded.remote_active,
          last_seen_run = coalesce(excluded.last_seen_run, external_links.last_seen_run), updated_at = now()`;
    }
    const result = addSyncCounts(zeroSyncCounts(), { ...counts, fetched: input.read.fetched, failed: counts.failed + input.read.failed, apiCalls: input.read.apiCalls });
    await tx`update connections set cursor = ${JSON.stringify(input.next(result))}::jsonb, updated_at = now() where id = ${connection.id}`;
    return result;
  });
  return { counts: result, warnings };
}
