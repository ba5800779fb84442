/** The benchmark's figures as Markdown: what was measured, whether the import was right, and the targets. */
import type { ImportResult } from '../workflows/import';
import type { ImportFloor } from './floor';
import type { WriteFloor } from './postgres';
import type { StatementShare, TableScans } from './pg-sampler';

/** What a benchmark ran on, as every report states it. */
export interface BenchSetting {
  postgres: string;
  temporal: string;
  cores: number;
  node: string;
  worker: string;
}

export interface ImportRun {
  seconds: number;
  result: ImportResult;
  /** Most resident memory of the worker during this import. */
  workerPeakMb?: number;
  /** How the peak was had: the kernel's high-water mark, or the highest of frequent samples where it cannot be reset. */
  peakFrom: 'VmHWM' | 'samples';
  cpuSeconds: { worker?: number; postgres: number; temporal: number };
  /** What the database's backends were busy with, sampled. */
  postgresTime: StatementShare[];
  /** Scans per table during the import, from pg_stat_user_tables (its last second may be missing). */
  tableScans: TableScans[];
}

export interface Check {
  what: string;
  expected: number | string;
  actual: number | string;
}

interface CopyBaseline {
  seconds: number;
  rows: number;
  postgresCpuSeconds: number;
}

export interface BenchFigures {
  rows: number;
  fileBytes: number;
  generateSeconds: number;
  setting: BenchSetting;
  /** The COPY baseline before the import, and again after it. */
  copy: CopyBaseline;
  copyAfter: CopyBaseline;
  floor: ImportFloor;
  writeFloor: WriteFloor;
  workerAtStart?: { rssMb: number; peakMb: number };
  importRun: ImportRun;
  reimport?: ImportRun;
  checks: Check[];
}

export const TARGETS = { importSeconds: 60, ratioToCopy: 3, workerRssMb: 400 };

const whole = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (s: number) => `${s.toFixed(1)} s`;
const megabytes = (mb: number | undefined) => (mb === undefined ? 'unknown' : `${whole(mb)} MB`);
const perSecond = (rows: number, s: number) => `${whole(rows / s)} rows/s`;

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export const checkPassed = (check: Check) => String(check.expected) === String(check.actual);

function cpuLine(run: ImportRun): string {
  const { worker, postgres, temporal } = run.cpuSeconds;
  return `worker ${worker === undefined ? '?' : seconds(worker)}, postgres ${seconds(postgres)}, temporal ${seconds(temporal)}`;
}

function counts(result: ImportResult): string {
  return `${whole(result.created)} created, ${whole(result.updated)} updated, ${whole(result.skipped)} skipped, ${whole(result.failed)} failed`;
}

const POSTGRES_STATEMENTS_SHOWN = 6;

function postgresTable(run: ImportRun): string {
  if (run.postgresTime.length === 0) return '(no backend of the database was busy in any sample)';
  return table(
    ['statement (first words)', 'busy backends, on average'],
    run.postgresTime.slice(0, POSTGRES_STATEMENTS_SHOWN).map((s) => [`\`${s.statement.replace(/\|/g, '\\|')}\``, s.backends.toFixed(2)]),
  );
}

const TABLES_SHOWN = 5;

function scansTable(run: ImportRun): string {
  const scanned = run.tableScans.filter((t) => t.sequentialScans > 0 || t.indexScans > 0).slice(0, TABLES_SHOWN);
  if (scanned.length === 0) return '(no statistics)';
  return table(
    ['table', 'sequential scans', 'rows read by them', 'index scans'],
    scanned.map((t) => [t.table, whole(t.sequentialScans), whole(t.rowsReadSequentially), whole(t.indexScans)]),
  );
}

export function renderReport(f: BenchFigures): string {
  const run = f.importRun;
  // The baseline the import is compared with: the mean of the COPYs before and after it.
  const baseline = (f.copy.seconds + f.copyAfter.seconds) / 2;
  const ratio = run.seconds / baseline;
  const copyLine = `${seconds(f.copy.seconds)} before the import, ${seconds(f.copyAfter.seconds)} after it: ${seconds(baseline)} (${perSecond(f.rows, baseline)})`;
  const ratioLine = `${ratio.toFixed(1)}x (${(run.seconds / f.copy.seconds).toFixed(1)}x and ${(run.seconds / f.copyAfter.seconds).toFixed(1)}x against each)`;
  const figures = table(
    ['measure', 'value'],
    [
      ['rows', whole(f.rows)],
      ['file size', `${(f.fileBytes / 1024 / 1024).toFixed(1)} MB`],
      ['COPY baseline (indexed staging table), the mean of two', copyLine],
      ['import (parse, normalise, match, upsert, ledger)', `${seconds(run.seconds)} (${perSecond(f.rows, run.seconds)})`],
      ['ratio import / COPY', ratioLine],
      [`peak worker RSS during the import (${run.peakFrom})`, megabytes(run.workerPeakMb)],
      ['worker RSS when polling, before the import (peak while starting)', f.workerAtStart ? `${megabytes(f.workerAtStart.rssMb)} (${megabytes(f.workerAtStart.peakMb)})` : 'unknown'],
      ['CPU time during the import', cpuLine(run)],
      ['import result', counts(run.result)],
      ...(f.reimport
        ? [
            ['re-import of the same file', `${seconds(f.reimport.seconds)} (${perSecond(f.rows, f.reimport.seconds)})`],
            ['re-import result', counts(f.reimport.result)],
            [`peak worker RSS during the re-import (${f.reimport.peakFrom})`, megabytes(f.reimport.workerPeakMb)],
            ['CPU time during the re-import', cpuLine(f.reimport)],
          ]
        : [['re-import', 'not run (BENCH_REIMPORT=0)']]),
      ['generating the file', seconds(f.generateSeconds)],
    ],
  );
  const checks = table(
    ['check', 'expected', 'actual', ''],
    f.checks.map((c) => [c.what, String(c.expected), String(c.actual), checkPassed(c) ? 'OK' : 'MISMATCH']),
  );
  const met = (ok: boolean) => (ok ? 'met' : 'not met');
  const targets = table(
    ['target', 'measured', ''],
    [
      [`full import under ${TARGETS.importSeconds} s`, seconds(run.seconds), met(run.seconds < TARGETS.importSeconds)],
      [`within ${TARGETS.ratioToCopy}x of the COPY baseline`, `${ratio.toFixed(1)}x`, met(ratio <= TARGETS.ratioToCopy)],
      [
        `worker RSS under ${TARGETS.workerRssMb} MB`,
        megabytes(run.workerPeakMb),
        run.workerPeakMb === undefined ? 'unknown' : met(run.workerPeakMb < TARGETS.workerRssMb),
      ],
    ],
  );
  const w = f.writeFloor;
  const floorCpu = f.floor.parseCpuSeconds + f.floor.normaliseCpuSeconds + w.postgresCpuSeconds;
  const floorSeconds = floorCpu / f.setting.cores;
  const floor = table(
    ['part', 'CPU time'],
    [
      ['parsing the file, as the import reads it (csv-parse)', seconds(f.floor.parseCpuSeconds)],
      [`normalising its ${whole(f.floor.phoneNumbers)} phone numbers (libphonenumber-js, max metadata)`, seconds(f.floor.normaliseCpuSeconds)],
      [
        `Postgres writing what the import wrote (${whole(w.rows.contacts)} contacts, ${whole(w.rows.contact_phones)} phones, ` +
          `${whole(w.rows.contact_tags)} tag links, ${whole(w.rows.contact_addresses)} addresses, ${whole(w.rows.import_ledger)} ledger rows), ` +
          `written again by the server into tables like its own: ${seconds(w.seconds)} on one connection; of its CPU, contacts ` +
          `${seconds(w.postgresCpuSecondsByTable.contacts)}, phones ${seconds(w.postgresCpuSecondsByTable.contact_phones)}, ` +
          `tag links ${seconds(w.postgresCpuSecondsByTable.contact_tags)}, addresses ${seconds(w.postgresCpuSecondsByTable.contact_addresses)}, ` +
          `ledger rows ${seconds(w.postgresCpuSecondsByTable.import_ledger)}`,
        seconds(w.postgresCpuSeconds),
      ],
      [
        `together, spread over ${f.setting.cores} cores with nothing else to do`,
        `${seconds(floorSeconds)} of wall time: ${(floorSeconds / baseline).toFixed(1)}x the COPY baseline`,
      ],
      [
        'the import itself, for comparison',
        `${seconds(run.seconds)} of wall time, ${(run.seconds / floorSeconds).toFixed(1)} times the floor; CPU: the worker ` +
          `${run.cpuSeconds.worker === undefined ? '?' : seconds(run.cpuSeconds.worker)} where parsing and normalising take ${seconds(f.floor.parseCpuSeconds + f.floor.normaliseCpuSeconds)}, ` +
          `Postgres ${seconds(run.cpuSeconds.postgres)} where writing the rows takes ${seconds(w.postgresCpuSeconds)}`,
      ],
    ],
  );
  const s = f.setting;
  return [
    `## CSV import benchmark: ${whole(f.rows)} rows`,
    '',
    `Postgres: ${s.postgres}. Temporal: ${s.temporal}. ${s.cores} cores, Node ${s.node}. Worker: ${s.worker}.`,
    '',
    figures,
    '',
    '### What Postgres was busy with during the import (pg_stat_activity, sampled every 200 ms)',
    '',
    postgresTable(run),
    '',
    ...(f.reimport ? ['During the re-import:', '', postgresTable(f.reimport), ''] : []),
    '### Table scans during the import (pg_stat_user_tables)',
    '',
    scansTable(run),
    '',
    ...(f.reimport ? ['During the re-import:', '', scansTable(f.reimport), ''] : []),
    '### The floor: what any import of this file costs at least',
    '',
    'Each part measured on its own in the same run. An import that keeps these tables must do all three, and more (read the',
    'file into rows, match them, plan the writes), so it cannot take less wall time than this. The COPY baseline writes',
    `the file's rows once into one table: Postgres spent ${seconds(f.copy.postgresCpuSeconds)} of CPU on it ` +
      `(${seconds(f.copyAfter.postgresCpuSeconds)} after the import).`,
    '',
    floor,
    '',
    '### Checks against the generated file',
    '',
    checks,
    '',
    '### Targets (reported, not enforced)',
    '',
    targets,
    '',
  ].join('\n');
}
