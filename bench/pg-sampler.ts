/**
 * A sampling profiler for Postgres: every few hundred milliseconds, what the benchmark database's backends are
 * doing (pg_stat_activity). Summed over an import it says which statements the time goes to, without
 * pg_stat_statements or any server setting.
 */
import postgres from 'postgres';

const SAMPLE_EVERY_MS = 200;
const STATEMENT_KEY_LENGTH = 70;

export interface StatementShare {
  /** The statement's first words, or the backend's state when it runs none. */
  statement: string;
  /** Backends busy with it, on average over the samples: 1.0 is one backend all the time. */
  backends: number;
}

export interface PostgresSampler {
  stop(): Promise<StatementShare[]>;
}

function statementKey(row: { state: string; query: string }): string {
  // A transaction left open while the worker computes between its statements.
  if (row.state.startsWith('idle in transaction')) return '(idle in transaction: the worker computes between statements)';
  const text = row.query.replace(/\s+/g, ' ').trim();
  return text.length > STATEMENT_KEY_LENGTH ? `${text.slice(0, STATEMENT_KEY_LENGTH)}…` : text;
}

export function samplePostgres(databaseUrl: string, databaseName: string): PostgresSampler {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  const counts = new Map<string, number>();
  let samples = 0;
  let sampling: Promise<void> | undefined;
  let failed = false;

  const sampleOnce = async () => {
    const rows = await sql<{ state: string; query: string }[]>`
      select state, query from pg_stat_activity
      where datname = ${databaseName} and pid <> pg_backend_pid() and state <> 'idle'`;
    samples += 1;
    for (const row of rows) counts.set(statementKey(row), (counts.get(statementKey(row)) ?? 0) + 1);
  };
  const timer = setInterval(() => {
    // One sample at a time: a slow one skips the next rather than letting them pile up.
    if (sampling) return;
    sampling = sampleOnce()
      .catch(() => {
        failed = true;
      })
      .finally(() => (sampling = undefined));
  }, SAMPLE_EVERY_MS);

  let stopped: Promise<StatementShare[]> | undefined;
  const stop = async () => {
    clearInterval(timer);
    await sampling;
    await sql.end({ timeout: 2 });
    if (failed || samples === 0) return [];
    return [...counts]
      .map(([statement, count]) => ({ statement, backends: count / samples }))
      .sort((a, b) => b.backends - a.backends);
  };
  return {
    stop: () => (stopped ??= stop()),
  };
}

export interface TableScans {
  table: string;
  sequentialScans: number;
  /** Rows read by sequential scans: where this grows with the file, a lookup is not using an index. */
  rowsReadSequentially: number;
  indexScans: number;
}

/** The database's counters of scans per table (pg_stat_user_tables), to subtract one reading from another. */
export async function readTableScans(databaseUrl: string): Promise<TableScans[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    // The statistics collector reports with a delay; this makes the reading current for this session at least.
    await sql`select pg_stat_clear_snapshot()`;
    return await sql<TableScans[]>`
      select relname as "table", coalesce(seq_scan, 0)::float8 as "sequentialScans",
        coalesce(seq_tup_read, 0)::float8 as "rowsReadSequentially", coalesce(idx_scan, 0)::float8 as "indexScans"
      from pg_stat_user_tables`;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

export function scansBetween(before: readonly TableScans[], after: readonly TableScans[]): TableScans[] {
  const earlier = new Map(before.map((t) => [t.table, t]));
  return after
    .map((t) => {
      const b = earlier.get(t.table);
      return {
        table: t.table,
        sequentialScans: t.sequentialScans - (b?.sequentialScans ?? 0),
        rowsReadSequentially: t.rowsReadSequentially - (b?.rowsReadSequentially ?? 0),
        indexScans: t.indexScans - (b?.indexScans ?? 0),
      };
    })
    .sort((a, b) => b.rowsReadSequentially - a.rowsReadSequentially);
}
