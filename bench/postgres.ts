/**
 * The benchmark's Postgres: which server, a database of its own on it, and the COPY baseline the import is
 * compared with.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { runMigrations } from '../db/client';
import { cpuSecondsOfProcessesNamed } from './proc';
import { startEmbeddedPostgres } from '../worker/embedded-postgres';
import { freePort } from '../worker/ports';

/** The machine's own Postgres, as CI and this project's development machines have it. */
const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresServer {
  /** A database on the server as a superuser, from which the benchmark's own database is made. */
  adminUrl: string;
  description: string;
  stop?: () => Promise<void>;
}

export interface BenchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const quietClient = (url: string, options: { connect_timeout?: number } = {}) =>
  postgres(url, { max: 1, onnotice: () => undefined, ...options });

async function answers(url: string): Promise<boolean> {
  const sql = quietClient(url, { connect_timeout: 3 });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** DATABASE_URL if set, else the local server on 5432 if it answers, else an embedded one in the scratch folder. */
export async function resolvePostgresServer(scratch: string, log: (message: string) => void): Promise<PostgresServer> {
  const given = process.env.DATABASE_URL;
  if (given) return { adminUrl: given, description: 'DATABASE_URL' };
  if (await answers(LOCAL_POSTGRES_URL)) return { adminUrl: LOCAL_POSTGRES_URL, description: 'local server on 127.0.0.1:5432' };
  log('no Postgres answers on 127.0.0.1:5432: starting an embedded one');
  const port = await freePort();
  const embedded = await startEmbeddedPostgres({ dataDir: scratch, port, log });
  return { adminUrl: embedded.url, description: `embedded Postgres on 127.0.0.1:${port}`, stop: () => embedded.stop() };
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A new, migrated database of the benchmark's own, as the tests make theirs (test/support/database.ts). */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `switchboard_bench_${randomBytes(6).toString('hex')}`;
  const admin = quietClient(adminUrl);
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const database: BenchDatabase = {
    url: withDatabaseName(adminUrl, name),
    name,
    async drop() {
      const cleanup = quietClient(adminUrl);
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
  try {
    await runMigrations(database.url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

export interface CopyBaseline {
  seconds: number;
  rows: number;
  /** CPU seconds of the Postgres processes during the COPY: what writing the rows once, with indexes, costs. */
  postgresCpuSeconds: number;
}

const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * The fastest way Postgres can take the file in: COPY into a staging table of the file's columns as text, with a
 * key and the indexes a match by email and mobile would need, so that the baseline pays for index upkeep as the
 * import does. The table is dropped afterwards so that it does not weigh on the import.
 */
export async function measureCopyBaseline(databaseUrl: string, file: string): Promise<CopyBaseline> {
  const sql = quietClient(databaseUrl);
  try {
    await sql`
      create table bench_copy_staging (
        id bigserial primary key,
        first_name text, last_name text, email text, mobile text, phone text, tags text, notes text
      )`;
    await sql`create index on bench_copy_staging (lower(email))`;
    await sql`create index on bench_copy_staging (mobile)`;
    // Each COPY starts with no dirty pages of earlier work left to write out (after an import there are many). A role
    // that may not ask for a checkpoint measures without one; any other failure is the run's.
    await sql`checkpoint`.catch((error: unknown) => {
      if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw error;
    });
    const started = performance.now();
    const cpuBefore = cpuSecondsOfProcessesNamed('postgres');
    const copy = await sql`
      copy bench_copy_staging (first_name, last_name, email, mobile, phone, tags, notes)
      from stdin with (format csv, header true)`.writable();
    await pipeline(createReadStream(file), copy);
    const seconds = (performance.now() - started) / 1000;
    const postgresCpuSeconds = cpuSecondsOfProcessesNamed('postgres') - cpuBefore;
    const [counted] = await sql<{ rows: number }[]>`select count(*)::int as rows from bench_copy_staging`;
    await sql`drop table bench_copy_staging`;
    return { seconds, rows: counted?.rows ?? 0, postgresCpuSeconds };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * The server's version and the settings that move the figures most. autovacuum matters above all: without it the
 * import's tables are never analysed, and the planner keeps choosing plans made for empty tables.
 */
export async function describeServerSettings(databaseUrl: string): Promise<string> {
  const sql = quietClient(databaseUrl);
  try {
    const [row] = await sql<{ version: string; autovacuum: string; shared_buffers: string; synchronous_commit: string }[]>`
      select current_setting('server_version') as version, current_setting('autovacuum') as autovacuum,
        current_setting('shared_buffers') as shared_buffers, current_setting('synchronous_commit') as synchronous_commit`;
    if (!row) return 'settings unknown';
    return `PostgreSQL ${row.version.split(' ')[0]}, autovacuum ${row.autovacuum}, shared_buffers ${row.shared_buffers}, synchronous_commit ${row.synchronous_commit}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The contacts the business holds after the import, counted by the database rather than by the workflow. */
export async function countContacts(databaseUrl: string, businessId: string): Promise<number> {
  const sql = quietClient(databaseUrl);
  try {
    const [row] = await sql<{ contacts: number }[]>`select count(*)::int as contacts from contacts where business_id = ${businessId}`;
    return row?.contacts ?? 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The tables an import writes a row or more to per line of the file. */
const IMPORT_TABLES = ['contacts', 'contact_phones', 'contact_tags', 'contact_addresses', 'import_ledger'] as const;

export interface WriteFloor {
  seconds: number;
  postgresCpuSeconds: number;
  rows: Record<(typeof IMPORT_TABLES)[number], number>;
  /** Of `postgresCpuSeconds`, each table's: what each kind of row an import writes per line costs. */
  postgresCpuSecondsByTable: Record<(typeof IMPORT_TABLES)[number], number>;
}

/**
 * What Postgres needs, at least, to write what an import wrote: the rows it left in each of its tables written again,
 * one table after another, into new tables like them (the same columns, keys, indexes and checks; no foreign keys,
 * whose checks the import does set-wise), by the server itself with `insert … select`: the upkeep of the rows and
 * their indexes, without their travel from a client or their parsing. No design that keeps these tables writes less,
 * so this is the database's part of the import's floor, where the COPY baseline is the file's rows once into one
 * table.
 */
export async function measureWriteFloor(databaseUrl: string): Promise<WriteFloor> {
  const sql = quietClient(databaseUrl);
  const rows = {} as WriteFloor['rows'];
  const postgresCpuSecondsByTable = {} as WriteFloor['postgresCpuSecondsByTable'];
  let seconds = 0;
  let postgresCpuSeconds = 0;
  try {
    for (const table of IMPORT_TABLES) {
      const copyOf = `bench_floor_${table}`;
      await sql`create table ${sql(copyOf)} (like ${sql(table)} including all)`;
      try {
        // Read once beforehand, so that the write does not pay for reading the table from disk.
        await sql`select count(*) from ${sql(table)}`;
        const started = performance.now();
        const cpuBefore = cpuSecondsOfProcessesNamed('postgres');
        const written = await sql`insert into ${sql(copyOf)} select * from ${sql(table)}`;
        seconds += (performance.now() - started) / 1000;
        postgresCpuSecondsByTable[table] = cpuSecondsOfProcessesNamed('postgres') - cpuBefore;
        postgresCpuSeconds += postgresCpuSecondsByTable[table];
        rows[table] = written.count;
      } finally {
        await sql`drop table ${sql(copyOf)}`;
      }
    }
    return { seconds, postgresCpuSeconds, rows, postgresCpuSecondsByTable };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
