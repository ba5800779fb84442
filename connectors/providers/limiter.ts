import pLimit, { type LimitFunction } from 'p-limit';
import type { Sql } from 'postgres';
import type { Provider } from '../../domain/sync/remote';

export interface ProviderLimits {
  /** Calls started in any window of `windowMs`. */
  perMinute: number;
  windowMs: number;
  /** Calls in flight at once. */
  concurrent: number;
  /** Calls started in any 24 hours; 0 for no daily limit. */
  perDay: number;
}

/** The published limits, per Xero tenant and per QuickBooks realm. */
export const publishedLimits: Record<Provider, ProviderLimits> = {
  xero: { perMinute: 60, windowMs: 60_000, concurrent: 5, perDay: 5_000 },
  quickbooks: { perMinute: 500, windowMs: 60_000, concurrent: 10, perDay: 0 },
};

const DAY_MS = 24 * 60 * 60 * 1000;

export type Admission =
  | { admitted: true; callId: number }
  | { admitted: false; waitMs: number; reason: 'minute' | 'concurrent' | 'day' | 'paused' };

/** Thrown when the next call may not start for longer than the caller is willing to wait in place. */
export class RateLimitWait extends Error {
  constructor(
    readonly waitMs: number,
    readonly reason: string,
  ) {
    super(`the provider's rate limit allows the next call in ${Math.ceil(waitMs / 1000)} s (${reason})`);
    this.name = 'RateLimitWait';
  }
}

export interface ProviderLimiterOptions {
  limits?: Partial<Record<Provider, ProviderLimits>>;
  /** Extra spacing so that the provider, which counts calls when they arrive, never sees one too many in a window. */
  safetyMs?: number;
  /** A call unfinished after this long belongs to a worker that died; it stops counting as in flight. */
  staleAfterMs?: number;
}

/**
 * A rate limiter shared by every worker through Postgres: each call is a row, admitted under a per-tenant advisory
 * lock only when the recent rows leave room in the minute, the day and the in-flight limits. Calls are kept ahead of
 * the limit rather than discovered by 429s. Within one process p-limit keeps waiting callers off the database.
 */
export function createProviderLimiter(sql: Sql, options: ProviderLimiterOptions = {}) {
  const limits: Record<Provider, ProviderLimits> = { ...publishedLimits, ...options.limits };
  const safetyMs = options.safetyMs ?? 1_000;
  const staleAfterMs = options.staleAfterMs ?? 5 * 60_000;
  const local = new Map<string, LimitFunction>();
  let finishedSinceCleanup = 0;

  const inProcess = (provider: Provider, tenantId: string) => {
    const key = `${provider}:${tenantId}`;
    let limit = local.get(key);
    if (!limit) {
      limit = pLimit(limits[provider].concurrent);
      local.set(key, limit);
    }
    return limit;
  };

  async function admit(provider: Provider, tenantId: string): Promise<Admission> {
    const limit = limits[provider];
    return sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtextextended(${`provider-calls:${provider}:${tenantId}`}, 0))`;
      // Instants as epoch milliseconds: the client's timestamp parsing is Drizzle's (strings), not ours to rely on.
      const [state] = await tx<{ now: number; paused_until: number | null; in_flight: number; minute_edge: number | null; day_edge: number | null }[]>`
        select epoch_ms(clock_timestamp()) as now,
          epoch_ms((select until from provider_pauses where provider = ${provider} and tenant_id = ${tenantId} and until > clock_timestamp())) as paused_until,
          (select count(*)::int from provider_calls where provider = ${provider} and tenant_id = ${tenantId}
             and finished_at is null and started_at > clock_timestamp() - ${staleAfterMs} * interval '1 millisecond') as in_flight,
          epoch_ms((select started_at from provider_calls where provider = ${provider} and tenant_id = ${tenantId}
             and started_at > clock_timestamp() - ${limit.windowMs + safetyMs} * interval '1 millisecond'
             order by started_at desc offset ${limit.perMinute - 1} limit 1)) as minute_edge,
          ${
            limit.perDay > 0
              ? tx`epoch_ms((select started_at from provider_calls where provider = ${provider} and tenant_id = ${tenantId}
                     and started_at > clock_timestamp() - interval '24 hours'
                     order by started_at desc offset ${limit.perDay - 1} limit 1))`
              : tx`null::float8`
          } as day_edge`;
      if (!state) throw new Error('the rate limiter read nothing');
      const now = state.now;
      if (state.paused_until !== null) return { admitted: false, waitMs: state.paused_until - now, reason: 'paused' };
      if (state.day_edge !== null) return { admitted: false, waitMs: state.day_edge + DAY_MS + safetyMs - now, reason: 'day' };
      if (state.minute_edge !== null) return { admitted: false, waitMs: state.minute_edge + limit.windowMs + safetyMs - now, reason: 'minute' };
      if (state.in_flight >= limit.concurrent) return { admitted: false, waitMs: 100, reason: 'concurrent' };
      const [call] = await tx<{ id: number }[]>`
        insert into provider_calls (provider, tenant_id, started_at) values (${provider}, ${tenantId}, clock_timestamp()) returning id`;
      return { admitted: true, callId: (call as { id: number }).id };
    });
  }

  async function finish(callId: number): Promise<void> {
    await sql`update provider_calls set finished_at = clock_timestamp() where id = ${callId}`;
    if (++finishedSinceCleanup >= 500) {
      finishedSinceCleanup = 0;
      await sql`delete from provider_calls where started_at < clock_timestamp() - interval '25 hours'`;
    }
  }

  /** No calls to this tenant until then, for every worker (a 429's Retry-After, a spent day limit). */
  async function pause(provider: Provider, tenantId: string, waitMs: number, reason: string): Promise<void> {
    await sql`
      insert into provider_pauses (provider, tenant_id, until, reason)
      values (${provider}, ${tenantId}, clock_timestamp() + ${Math.max(0, Math.ceil(waitMs))} * interval '1 millisecond', ${reason})
      on conflict (provider, tenant_id) do update set until = greatest(provider_pauses.until, excluded.until), reason = excluded.reason`;
  }

  /** How long until the oldest call of the current window (or day) leaves it: when a provider says none are left. */
  async function windowEnd(provider: Provider, tenantId: string, scope: 'minute' | 'day'): Promise<number> {
    const span = scope === 'minute' ? limits[provider].windowMs : DAY_MS;
    const [row] = await sql<{ wait_ms: number | null }[]>`
      select (extract(epoch from (min(started_at) + ${span} * interval '1 millisecond' - clock_timestamp())) * 1000)::float8 as wait_ms
      from provider_calls where provider = ${provider} and tenant_id = ${tenantId}
        and started_at > clock_timestamp() - ${span} * interval '1 millisecond'`;
    return Math.max(0, row?.wait_ms ?? span) + safetyMs;
  }

  /**
   * Runs one provider call within the limits. Waits in place up to `maxWaitMs` (reporting each wait); a longer wait
   * is thrown as RateLimitWait so the workflow can sleep durably instead of holding an activity.
   */
  async function run<T>(
    provider: Provider,
    tenantId: string,
    call: () => Promise<T>,
    options: { maxWaitMs: number; onWait?: (waitMs: number, reason: string) => void },
  ): Promise<T> {
    return inProcess(provider, tenantId)(async () => {
      for (;;) {
        const admission = await admit(provider, tenantId);
        if (admission.admitted) {
          try {
            return await call();
          } finally {
            await finish(admission.callId);
          }
        }
        if (admission.waitMs > options.maxWaitMs) throw new RateLimitWait(admission.waitMs, admission.reason);
        options.onWait?.(admission.waitMs, admission.reason);
        await new Promise((resolve) => setTimeout(resolve, Math.max(10, admission.waitMs)));
      }
    });
  }

  return { limits, admit, finish, pause, windowEnd, run };
}

export type ProviderLimiter = ReturnType<typeof createProviderLimiter>;
