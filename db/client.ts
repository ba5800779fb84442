import path from 'node:path';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  /** The postgres.js client underneath, for bulk paths that Drizzle's query builder would slow down. */
  sql: postgres.Sql;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(__dirname, 'migrations');

export function openDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    // Statements are prepared once per connection: an unprepared one with parameters costs a round trip of its own to
    // learn their types before it runs, and cannot be pipelined. They are still planned for their actual values every
    // time: a plan made once for a table that was nearly empty (a fresh import) turns into scans as it grows.
    prepare: true,
    onnotice: () => undefined,
    connection: { application_name: 'switchboard', plan_cache_mode: 'force_custom_plan' },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

export async function runMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
