/**
 * `npm run bench`: imports a generated CSV of BENCH_ROWS contacts (default 1,000,000) through the real
 * importContactsCsv workflow, on a real Temporal server, by the production worker (worker/main.ts) in a child process,
 * into a real Postgres; and, in the same run, COPYs the same file into an indexed staging table as the baseline.
 * Prints a Markdown report to stdout (progress goes to stderr) and exits non-zero when the import's result differs
 * from what the generator says it must be. The performance targets are reported, never enforced.
 *
 *   BENCH_ROWS=20000 npm run bench        a quick run
 *   BENCH_REIMPORT=0                      skips the second import of the same file
 *   DATABASE_URL, TEMPORAL_ADDRESS        use these servers instead of the local or embedded ones
 *   BENCH_WORKER_PROFILE=1                runs the worker with --cpu-prof; the profile is kept in os.tmpdir()
 *   BENCH_WORKER_NODE_FLAGS="--trace-gc"  more node flags for the worker, named in the report
 *
 * Then, unless told otherwise, the sync benchmark (bench/sync.ts): BENCH_SYNC_RECORDS (default 100,000) records in a
 * fake Xero tenant and a fake QuickBooks realm, full and incremental syncs against the floor the rate limits set.
 *
 *   BENCH_ONLY=import | sync              runs only that benchmark (default: both, the import first)
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBusiness } from '../db/businesses';
import { openDatabase } from '../db/client';
import { importContactsCsv, progressQuery } from '../workflows/import';
import { generateContacts, rowsFromEnvironment, type GeneratedContacts } from './generate-contacts';
import { readTableScans, samplePostgres, scansBetween } from './pg-sampler';
import { countContacts, measureCopyBaseline, measureWriteFloor, type BenchDatabase } from './postgres';
import { measureImportFloor } from './floor';
import { cpuSecondsOf, cpuSecondsOfProcessesNamed, memoryOf, resetPeakMemory } from './proc';
import { checkPassed, renderReport, type BenchFigures, type Check, type ImportRun } from './report';
import { runSyncBench } from './sync';
import { startBenchStack } from './stack';
import type { WorkerProcess } from './worker-process';

const PROJECT_ROOT = path.join(__dirname, '..');
const PROGRESS_EVERY_MS = 5_000;
const MEMORY_SAMPLE_EVERY_MS = 200;

const log = (message: string) => process.stderr.write(`${message}\n`);
const hex = () => randomBytes(5).toString('hex');

/** Undone in reverse order, once, whether the run ends, fails or is interrupted (and between the two benchmarks). */
const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
let cleaningUp: Promise<void> = Promise.resolve();
/** After Ctrl-C the run fails in whatever it was waiting for; that failure is only the interruption. */
let interrupted = false;

function onCleanup(what: string, run: () => Promise<unknown>): void {
  cleanups.push({ what, run });
}

/** Undoes everything registered so far, newest first; a second call waits for the first and undoes what came since. */
function cleanUp(): Promise<void> {
  cleaningUp = cleaningUp.then(async () => {
    for (let next = cleanups.pop(); next !== undefined; next = cleanups.pop()) {
      try {
        await next.run();
      } catch (error) {
        log(`cleanup: ${next.what} failed: ${(error as Error).message}`);
      }
    }
  });
  return cleaningUp;
}

function stopOnSignal(signal: NodeJS.Signals): void {
  // once: a second Ctrl-C during the cleanup ends the process at once.
  process.once(signal, () => {
    interrupted = true;
    log(`\n${signal}: stopping the worker and the servers and removing the benchmark's database and files…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Samples the worker's RSS between reads of the kernel's peak, for kernels where the peak cannot be reset. */
function sampleMemory(pid: number): { stop(): number } {
  let highest = memoryOf(pid)?.rssMb ?? 0;
  const timer = setInterval(() => {
    highest = Math.max(highest, memoryOf(pid)?.rssMb ?? 0);
  }, MEMORY_SAMPLE_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(highest, memoryOf(pid)?.rssMb ?? 0);
    },
  };
}

function cpuSnapshot(workerPid: number) {
  return {
    worker: cpuSecondsOf(workerPid),
    postgres: cpuSecondsOfProcessesNamed('postgres'),
    temporal: cpuSecondsOfProcessesNamed('temporal'),
  };
}

function cpuSince(before: ReturnType<typeof cpuSnapshot>, workerPid: number): ImportRun['cpuSeconds'] {
  const after = cpuSnapshot(workerPid);
  return {
    worker: before.worker === undefined || after.worker === undefined ? undefined : after.worker - before.worker,
    postgres: after.postgres - before.postgres,
    temporal: after.temporal - before.temporal,
  };
}

async function printProgress(handle: WorkflowHandleWithFirstExecutionRunId, label: string, started: number, workerPid: number): Promise<void> {
  const elapsed = (performance.now() - started) / 1000;
  const progress = await handle.query(progressQuery);
  const rss = memoryOf(workerPid)?.rssMb;
  const total = `${progress.rowsTotalIsEstimate ? '~' : ''}${progress.rowsTotal.toLocaleString('en')}`;
  log(
    `[${label}] ${elapsed.toFixed(0)} s: ${progress.status}, ${progress.rowsDone.toLocaleString('en')} of ${total} rows ` +
      `(${Math.round(progress.rowsDone / elapsed).toLocaleString('en')} rows/s), ` +
      `${progress.created} created, ${progress.updated} updated, ${progress.skipped} skipped, ${progress.failed} failed; ` +
      `worker RSS ${rss === undefined ? '?' : Math.round(rss)} MB`,
  );
}

/** One import of the file, timed from the workflow's start to its result, with the worker's peak memory and CPU. */
async function runImport(
  client: Client,
  options: { label: string; taskQueue: string; businessId: string; file: string; worker: WorkerProcess; database: BenchDatabase },
): Promise<ImportRun> {
  const { worker } = options;
  const scansBefore = await readTableScans(options.database.url);
  const postgresSampler = samplePostgres(options.database.url, options.database.name);
  const peakReset = resetPeakMemory(worker.pid);
  const samples = sampleMemory(worker.pid);
  const cpuBefore = cpuSnapshot(worker.pid);
  const started = performance.now();
  const handle = await client.workflow.start(importContactsCsv, {
    taskQueue: options.taskQueue,
    workflowId: `bench-${options.label}-${hex()}`,
    args: [{ businessId: options.businessId, file: options.file }],
  });
  // On a shared TEMPORAL_ADDRESS an interrupted import would otherwise wait there for a worker that is gone.
  onCleanup(`terminating workflow ${handle.workflowId}`, () => handle.terminate('the benchmark stopped').catch(() => undefined));
  let querying = false;
  const ticker = setInterval(() => {
    if (querying) return;
    querying = true;
    printProgress(handle, options.label, started, worker.pid)
      // A query can land between two runs of a continued-as-new import; the next one will answer.
      .catch(() => undefined)
      .finally(() => (querying = false));
  }, PROGRESS_EVERY_MS);
  try {
    const result = await Promise.race([handle.result(), worker.exited]);
    const seconds = (performance.now() - started) / 1000;
    const sampledPeak = samples.stop();
    const cpuSeconds = cpuSince(cpuBefore, worker.pid);
    const kernelPeak = memoryOf(worker.pid)?.peakMb;
    log(`[${options.label}] done in ${seconds.toFixed(1)} s`);
    return {
      postgresTime: await postgresSampler.stop(),
      tableScans: scansBetween(scansBefore, await readTableScans(options.database.url)),
      seconds,
      result,
      workerPeakMb: peakReset && kernelPeak !== undefined ? kernelPeak : sampledPeak,
      peakFrom: peakReset && kernelPeak !== undefined ? 'VmHWM' : 'samples',
      cpuSeconds,
    };
  } finally {
    clearInterval(ticker);
    samples.stop();
    await postgresSampler.stop();
  }
}

function importChecks(generated: GeneratedContacts, run: ImportRun, contactsInDatabase: number): Check[] {
  const { result } = run;
  return [
    { what: 'import status', expected: 'completed', actual: result.status },
    { what: 'rows read', expected: generated.rows, actual: result.rows },
    { what: 'created (distinct people)', expected: generated.expected.created, actual: result.created },
    { what: 'updated (repeats bringing a new tag)', expected: generated.expected.updated, actual: result.updated },
    { what: 'skipped (repeats adding nothing)', expected: generated.expected.skipped, actual: result.skipped },
    { what: 'failed (invalid rows)', expected: generated.expected.failed, actual: result.failed },
    { what: 'contacts in the database', expected: generated.people, actual: contactsInDatabase },
  ];
}

function reimportChecks(generated: GeneratedContacts, run: ImportRun, contactsInDatabase: number): Check[] {
  const { result } = run;
  return [
    { what: 're-import status', expected: 'completed', actual: result.status },
    { what: 're-import created', expected: 0, actual: result.created },
    { what: 're-import updated', expected: 0, actual: result.updated },
    { what: 're-import failed', expected: 0, actual: result.failed },
    { what: 're-import skipped (every row)', expected: generated.rows, actual: result.skipped },
    { what: 'contacts in the database after the re-import', expected: generated.people, actual: contactsInDatabase },
  ];
}

async function runImportBench(): Promise<number> {
  const rows = rowsFromEnvironment();
  const reimport = process.env.BENCH_REIMPORT !== '0';

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'switchboard-bench-'));
  // An embedded Postgres run by root runs as the postgres user, which must reach its data folder in here.
  await chmod(scratch, 0o755);
  onCleanup('removing the scratch folder', () => rm(scratch, { recursive: true, force: true }));

  log(`Generating ${rows.toLocaleString('en')} rows…`);
  const generateStarted = performance.now();
  const generated = await generateContacts({ file: path.join(scratch, 'contacts.csv'), rows });
  const generateSeconds = (performance.now() - generateStarted) / 1000;
  log(
    `  ${(generated.bytes / 1024 / 1024).toFixed(1)} MB in ${generateSeconds.toFixed(1)} s: ${generated.people.toLocaleString('en')} people, ` +
      `${generated.duplicates.total.toLocaleString('en')} repeats, ${generated.invalid.total.toLocaleString('en')} invalid rows`,
  );

  const { database, setting, config, client, worker } = await startBenchStack({
    scratch,
    projectRoot: PROJECT_ROOT,
    log,
    onCleanup,
    taskQueuePrefix: 'bench',
  });
  const workerAtStart = memoryOf(worker.pid);
  log(`  polling; RSS ${Math.round(workerAtStart?.rssMb ?? 0)} MB (peak while starting ${Math.round(workerAtStart?.peakMb ?? 0)} MB)`);

  log('COPY baseline, before the import…');
  const copy = await measureCopyBaseline(database.url, generated.file);
  log(`  ${copy.seconds.toFixed(1)} s, ${copy.rows.toLocaleString('en')} rows`);
  log('The floor: parsing the file and normalising its phone numbers, alone…');
  const floor = await measureImportFloor(generated.file, 'AU');
  log(`  parse ${floor.parseCpuSeconds.toFixed(1)} s CPU, ${floor.phoneNumbers.toLocaleString('en')} phone numbers ${floor.normaliseCpuSeconds.toFixed(1)} s CPU`);

  const store = openDatabase(database.url, { max: 1 });
  const business = await createBusiness(store.db, { name: 'Benchmark Clinic', defaultCountry: 'AU', identityPolicy: 'unique' }).finally(() => store.close());

  const importOptions = { taskQueue: config.taskQueue, businessId: business.id, file: generated.file, worker, database };
  log('Importing…');
  const importRun = await runImport(client, { ...importOptions, label: 'import' });
  // Measured again after the import: the machine's speed drifts within a run, and the ratio takes the mean of both.
  log('COPY baseline, after the import…');
  const copyAfter = await measureCopyBaseline(database.url, generated.file);
  log(`  ${copyAfter.seconds.toFixed(1)} s, ${copyAfter.rows.toLocaleString('en')} rows`);
  const checks: Check[] = [
    { what: 'COPY rows', expected: generated.rows, actual: copy.rows },
    { what: 'COPY rows, after the import', expected: generated.rows, actual: copyAfter.rows },
    ...importChecks(generated, importRun, await countContacts(database.url, business.id)),
  ];

  log('The floor: Postgres writing again what the import wrote, into tables like its own…');
  const writeFloor = await measureWriteFloor(database.url);
  log(`  ${writeFloor.seconds.toFixed(1)} s, ${writeFloor.postgresCpuSeconds.toFixed(1)} s CPU`);

  let reimportRun: ImportRun | undefined;
  if (reimport) {
    log('Importing the same file again…');
    reimportRun = await runImport(client, { ...importOptions, label: 're-import' });
    checks.push(...reimportChecks(generated, reimportRun, await countContacts(database.url, business.id)));
  }

  const figures: BenchFigures = {
    rows,
    fileBytes: generated.bytes,
    generateSeconds,
    setting,
    copy,
    copyAfter,
    floor,
    writeFloor,
    workerAtStart,
    importRun,
    reimport: reimportRun,
    checks,
  };
  process.stdout.write(`\n${renderReport(figures)}\n`);
  const jsonFile = path.join(os.tmpdir(), `switchboard-bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(jsonFile, `${JSON.stringify({ ...figures, generated: { ...generated, file: undefined } }, null, 2)}\n`);
  log(`Figures as JSON: ${jsonFile}`);

  const mismatches = checks.filter((check) => !checkPassed(check));
  if (mismatches.length > 0) log(`${mismatches.length} check(s) MISMATCH: the import did not do what the file requires`);
  return mismatches.length > 0 ? 1 : 0;
}

/** BENCH_ONLY: which benchmark to run; both when unset. */
function benchOnly(): 'import' | 'sync' | undefined {
  const only = process.env.BENCH_ONLY?.trim();
  if (only === undefined || only === '') return undefined;
  if (only === 'import' || only === 'sync') return only;
  throw new Error(`BENCH_ONLY must be 'import' or 'sync' (or unset for both), not '${only}'`);
}

async function main(): Promise<number> {
  const only = benchOnly();
  stopOnSignal('SIGINT');
  stopOnSignal('SIGTERM');
  let code = 0;
  if (only !== 'sync') {
    code = await runImportBench();
    // The import's worker, servers and database go before the sync benchmark starts its own.
    await cleanUp();
  }
  if (only !== 'import') code = Math.max(code, await runSyncBench({ projectRoot: PROJECT_ROOT, log, onCleanup }));
  return code;
}

void main()
  .catch((error: unknown) => {
    if (!interrupted) log(`bench: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  })
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  });
