/**
 * The sync benchmark (`BENCH_ONLY=sync npm run bench`): BENCH_SYNC_RECORDS contacts (default 100,000) in a fake Xero
 * tenant and as many customers in a fake QuickBooks realm, both fakes enforcing the providers' published limits, synced
 * by the real syncConnection workflow on a real Temporal server, run by the production worker (worker/main.ts) in a
 * child process, into a real Postgres.
 *
 * For each provider: a full sync, timed against the floor the rate limits set, measured in the same run by a pacer
 * that makes as many calls as the sync made (the same reads, with plain fetch, against a second tenant or realm of the
 * same size) as fast as the limits allow; the 429s the sync received; and an incremental sync of 100 changed records
 * (API calls and wall time). The report is Markdown on stdout. Counts are checked (a wrong one makes the run exit 1);
 * times and ratios are reported against their targets, never enforced.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { publishedLimits, type ProviderLimits } from '../connectors/providers/limiter';
import { createBusiness } from '../db/businesses';
import { openDatabase } from '../db/client';
import { saveConnection } from '../db/connections';
import { syncWorkflowId } from '../domain/inputs';
import type { Provider } from '../domain/sync/remote';
import { startFakeQuickBooks, type FakeQuickBooks, type QboCustomerInput } from '../fakes/quickbooks/server';
import { startFakeXero, type FakeXero, type XeroContactRecord } from '../fakes/xero/server';
import { createSecretBox } from '../worker/secret-box';
import { syncConnection, syncProgressQuery, type SyncResult } from '../workflows/sync';
import { cpuSecondsOf, memoryOf } from './proc';
import type { BenchSetting } from './report';
import { startBenchStack } from './stack';
import type { WorkerProcess } from './worker-process';

const DEFAULT_RECORDS = 100_000;
const MAX_RECORDS = 1_000_000;
/** The records changed in the fakes before each incremental sync. */
const CHANGED = 100;
/** Both providers' largest page, and the page size the sync activities use. */
const PAGE_SIZE = 1000;
/**
 * The pacer starts a call only once the call `perMinute` before it started a window and this much earlier: the margin
 * the product's limiter keeps too (connectors/providers/limiter.ts, safetyMs), since a provider counts a call when it
 * arrives, not when it was sent.
 */
const PACER_MARGIN_MS = 1_000;
const PROGRESS_EVERY_MS = 10_000;
/** node-quickbooks' default minor version, sent by the pacer as the SDK sends it. */
const QBO_MINOR_VERSION = '75';

export const SYNC_TARGETS = { ratioToFloor: 1.15, rateLimited: 0, incrementalApiCalls: 2, incrementalSeconds: 3 };

export interface SyncBenchOptions {
  projectRoot: string;
  log: (message: string) => void;
  /** Registers something to undo when the run ends, fails or is interrupted (run in reverse order). */
  onCleanup: (what: string, run: () => Promise<unknown>) => void;
}

/** BENCH_SYNC_RECORDS: records per tenant and per realm. */
export function syncRecordsFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BENCH_SYNC_RECORDS?.replace(/[_,]/g, '');
  if (raw === undefined || raw.trim() === '') return DEFAULT_RECORDS;
  const records = Number(raw);
  if (!Number.isInteger(records) || records < CHANGED || records > MAX_RECORDS) {
    throw new Error(`BENCH_SYNC_RECORDS must be a whole number from ${CHANGED} to ${MAX_RECORDS.toLocaleString('en')}, not '${env.BENCH_SYNC_RECORDS}'`);
  }
  return records;
}

// ---- the pacer: the floor the rate limits set -----------------------------------------------------------------------

interface Call {
  startedAt: number;
  finishedAt: number;
  status: number;
  records: number;
}

export interface PacedRun {
  calls: number;
  /** From the first call's start to the last one's end. */
  seconds: number;
  rateLimited: number;
  records: number;
  /** Median time of one call, from the request to the end of its parsed answer. */
  medianCallSeconds: number;
}

/**
 * Makes calls as fast as one tenant's limits allow: up to `concurrent` at once, and call k only once call
 * k - perMinute (counting every call this pacer made to the tenant before) started windowMs + PACER_MARGIN_MS ago.
 */
export function createPacer(limits: Pick<ProviderLimits, 'perMinute' | 'windowMs' | 'concurrent'>) {
  const starts: number[] = [];
  return async function pace(count: number, call: (k: number) => Promise<{ status: number; records: number }>): Promise<PacedRun> {
    const calls: Call[] = [];
    const inFlight = new Set<Promise<void>>();
    for (let k = 0; k < count; k++) {
      while (inFlight.size >= limits.concurrent) await Promise.race(inFlight);
      const edge = starts.length >= limits.perMinute ? (starts[starts.length - limits.perMinute] as number) + limits.windowMs + PACER_MARGIN_MS : 0;
      const wait = edge - performance.now();
      if (wait > 0) await sleep(wait);
      const startedAt = performance.now();
      starts.push(startedAt);
      const done: Promise<void> = call(k).then(
        (answer) => {
          calls.push({ startedAt, finishedAt: performance.now(), ...answer });
        },
        (error: unknown) => {
          throw new Error(`the pacer's call ${k + 1} failed: ${(error as Error).message}`);
        },
      );
      const tracked = done.finally(() => inFlight.delete(tracked));
      // Seen by the race or the final wait; this only keeps a failure during a wait from counting as unhandled.
      tracked.catch(() => undefined);
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
    const first = Math.min(...calls.map((c) => c.startedAt));
    const last = Math.max(...calls.map((c) => c.finishedAt));
    return {
      calls: calls.length,
      seconds: (last - first) / 1000,
      rateLimited: calls.filter((c) => c.status === 429).length,
      records: calls.reduce((sum, c) => sum + c.records, 0),
      medianCallSeconds: median(calls.map((c) => (c.finishedAt - c.startedAt) / 1000)),
    };
  };
}

/** The floor from the limits alone, for calls that took no time: every full window the calls cannot fit into. */
export function analyticFloorSeconds(calls: number, limits: Pick<ProviderLimits, 'perMinute' | 'windowMs'>): number {
  return calls <= 0 ? 0 : (Math.floor((calls - 1) / limits.perMinute) * limits.windowMs) / 1000;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function answered(response: Response, read: (body: unknown) => number): Promise<{ status: number; records: number }> {
  const text = await response.text();
  if (!response.ok) return { status: response.status, records: 0 };
  return { status: response.status, records: read(JSON.parse(text)) };
}

/** QuickBooks' instants as the connector writes them: UTC to the second. */
const qboInstant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---- the seeded data ------------------------------------------------------------------------------------------------

/** Record i was last changed at `firstChange + i` seconds: one a second, the newest a few seconds before the sync. */
interface Seed {
  records: number;
  firstChange: number;
  changedAt: (i: number) => number;
  /** The records changed before the incremental sync: spread over the whole set. */
  changed: number[];
}

function makeSeed(records: number): Seed {
  const firstChange = Math.floor(Date.now() / 1000) * 1000 - (records + 60) * 1000;
  const step = Math.floor(records / CHANGED);
  return {
    records,
    firstChange,
    changedAt: (i) => firstChange + i * 1000,
    changed: Array.from({ length: CHANGED }, (_, j) => j * step),
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const xeroContactId = (i: number) => `b0000000-0000-4000-8000-${pad(i, 12)}`;

function xeroContact(seed: Seed, i: number): Partial<XeroContactRecord> {
  return {
    ContactID: xeroContactId(i),
    FirstName: `Xero${i}`,
    LastName: 'Bench',
    Name: `Xero${i} Bench`,
    EmailAddress: `xero${i}@example.com`,
    Phones: [{ PhoneType: 'MOBILE', PhoneCountryCode: '61', PhoneAreaCode: '4', PhoneNumber: `1${pad(i, 7)}` }],
    IsCustomer: true,
    UpdatedDateUTC: seed.changedAt(i),
  };
}

function qboCustomer(seed: Seed, i: number): QboCustomerInput {
  const at = seed.changedAt(i);
  return {
    Id: String(i + 1),
    GivenName: `Qbo${i}`,
    FamilyName: 'Bench',
    DisplayName: `Qbo${i} Bench`,
    PrimaryEmailAddr: { Address: `qbo${i}@example.com` },
    Mobile: { FreeFormNumber: `042${pad(i, 7)}` },
    MetaData: { CreateTime: at, LastUpdatedTime: at },
  };
}

// ---- one provider's runs --------------------------------------------------------------------------------------------

interface LogEntry {
  status: number;
  startedAt: number;
  finishedAt: number;
}

/** What the fake saw of one tenant's calls: from its request log, filtered by tenant, from a mark on. */
interface FakeView {
  callsSince(mark: number): LogEntry[];
  mark(): number;
  maxInFlight(): number;
  maxInWindow(): number;
}

export interface SyncRun {
  seconds: number;
  result: SyncResult;
  /** The calls the fake received from the sync, and those answered 429. */
  callsSeen: number;
  rateLimited: number;
  workerCpuSeconds?: number;
  benchCpuSeconds: number;
}

/** Where a full sync's time went, read from the fake's log of its calls. */
export interface TimeSplit {
  /** Time with at least one call in flight. */
  callSeconds: number;
  /** Time between calls that the window forced: the next call could not have started sooner. */
  windowWaitSeconds: number;
  /** The rest: between one answer and the next request, the worker storing the page and going round Temporal. */
  betweenCallsSeconds: number;
  medianBetweenCallsSeconds: number;
  medianCallSeconds: number;
}

export interface ProviderFigures {
  provider: Provider;
  name: string;
  limits: ProviderLimits;
  full: SyncRun;
  fullPacer: PacedRun;
  analyticFloorSeconds: number;
  split: TimeSplit;
  maxInFlight: number;
  maxInWindow: number;
  incremental: SyncRun;
  incrementalPacer: PacedRun;
}

export interface SyncCheck {
  what: string;
  expected: string;
  actual: string;
  ok: boolean;
}

const equal = (what: string, expected: number, actual: number): SyncCheck => ({ what, expected: String(expected), actual: String(actual), ok: expected === actual });
const atMost = (what: string, limit: number, actual: number): SyncCheck => ({ what, expected: `≤ ${limit}`, actual: String(actual), ok: actual <= limit });

function splitTime(calls: readonly LogEntry[], limits: ProviderLimits): TimeSplit {
  const sorted = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  let callMs = 0;
  let windowWaitMs = 0;
  const between: number[] = [];
  let coveredUntil = -Infinity;
  for (let j = 0; j < sorted.length; j++) {
    const call = sorted[j] as LogEntry;
    const from = Math.max(call.startedAt, coveredUntil);
    if (call.finishedAt > from) callMs += call.finishedAt - from;
    if (j > 0 && call.startedAt > coveredUntil) {
      // A gap with nothing in flight: the part before the window let call j start was forced, the rest was not.
      const allowedAt = j >= limits.perMinute ? (sorted[j - limits.perMinute] as LogEntry).startedAt + limits.windowMs : -Infinity;
      const forced = Math.max(0, Math.min(call.startedAt, allowedAt) - coveredUntil);
      windowWaitMs += forced;
      between.push(call.startedAt - coveredUntil - forced);
    }
    coveredUntil = Math.max(coveredUntil, call.finishedAt);
  }
  return {
    callSeconds: callMs / 1000,
    windowWaitSeconds: windowWaitMs / 1000,
    betweenCallsSeconds: between.reduce((a, b) => a + b, 0) / 1000,
    medianBetweenCallsSeconds: median(between) / 1000,
    medianCallSeconds: median(sorted.map((c) => (c.finishedAt - c.startedAt) / 1000)),
  };
}

interface Harness {
  client: Client;
  taskQueue: string;
  worker: WorkerProcess;
  log: (message: string) => void;
  onCleanup: SyncBenchOptions['onCleanup'];
}

async function runSync(h: Harness, label: string, connectionId: string, mode: 'full' | 'incremental', view: FakeView): Promise<SyncRun> {
  const mark = view.mark();
  const workerCpuBefore = cpuSecondsOf(h.worker.pid);
  const benchCpuBefore = process.cpuUsage();
  const started = performance.now();
  const handle: WorkflowHandle<typeof syncConnection> = await h.client.workflow.start(syncConnection, {
    taskQueue: h.taskQueue,
    workflowId: syncWorkflowId(connectionId),
    args: [{ connectionId, mode }],
  });
  h.onCleanup(`terminating workflow ${handle.workflowId}`, () => handle.terminate('the benchmark stopped').catch(() => undefined));
  let querying = false;
  const ticker = setInterval(() => {
    if (querying) return;
    querying = true;
    handle
      .query(syncProgressQuery)
      .then((p) => {
        const waiting = p.waitingForRateLimit ? ` until ${p.waitingForRateLimit.until} (${p.waitingForRateLimit.reason})` : '';
        h.log(
          `[${label}] ${((performance.now() - started) / 1000).toFixed(0)} s: ${p.status}${waiting}, ${p.pages} pages, ` +
            `${p.fetched.toLocaleString('en')} records, ${p.created.toLocaleString('en')} created, ${p.apiCalls} API calls`,
        );
      })
      // Between two runs of a continued-as-new sync a query can find none; the next one will answer.
      .catch(() => undefined)
      .finally(() => (querying = false));
  }, PROGRESS_EVERY_MS);
  try {
    const result = await Promise.race([handle.result(), h.worker.exited]);
    const seconds = (performance.now() - started) / 1000;
    const workerCpuAfter = cpuSecondsOf(h.worker.pid);
    const calls = view.callsSince(mark);
    h.log(`[${label}] done in ${seconds.toFixed(1)} s: ${result.apiCalls} API calls, ${result.created} created, ${result.updated} updated, ${result.failed} failed`);
    const cpu = process.cpuUsage(benchCpuBefore);
    return {
      seconds,
      result,
      callsSeen: calls.length,
      rateLimited: calls.filter((c) => c.status === 429).length,
      workerCpuSeconds: workerCpuBefore === undefined || workerCpuAfter === undefined ? undefined : workerCpuAfter - workerCpuBefore,
      benchCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    clearInterval(ticker);
  }
}

interface ProviderSetup {
  provider: Provider;
  name: string;
  /** The tenant (or realm) the sync reads and its connection. */
  connectionId: string;
  view: FakeView;
  /** The pacer's reads, against a second tenant of the same size: page k of a full read, and the incremental read. */
  fullRead: (k: number) => Promise<{ status: number; records: number }>;
  changesRead: (since: number) => Promise<{ status: number; records: number }>;
  /** Changes the same records in both tenants. */
  change: () => void;
}

async function benchProvider(h: Harness, setup: ProviderSetup, countsIn: (connectionId: string) => Promise<Counted>): Promise<{ figures: ProviderFigures; checks: SyncCheck[] }> {
  const limits = publishedLimits[setup.provider];
  const label = `${setup.provider} full`;
  h.log(`${setup.name}: full sync…`);
  const full = await runSync(h, label, setup.connectionId, 'full', setup.view);
  const maxInFlight = setup.view.maxInFlight();
  const maxInWindow = setup.view.maxInWindow();
  const split = splitTime(setup.view.callsSince(0), limits);
  const afterFull = await countsIn(setup.connectionId);

  h.log(`${setup.name}: the pacer makes the sync's ${full.result.apiCalls} calls as fast as the limits allow…`);
  const pacer = createPacer(limits);
  const fullPacer = await pacer(full.result.apiCalls, setup.fullRead);
  h.log(`  ${fullPacer.seconds.toFixed(1)} s, ${fullPacer.rateLimited} answered 429`);

  setup.change();
  h.log(`${setup.name}: ${CHANGED} records changed; incremental sync…`);
  const cursor = full.result.cursor === null ? NaN : Date.parse(full.result.cursor);
  const incremental = await runSync(h, `${setup.provider} incremental`, setup.connectionId, 'incremental', setup.view);
  const incrementalPacer = await pacer(Math.max(1, incremental.result.apiCalls), () => setup.changesRead(cursor));
  const afterIncremental = await countsIn(setup.connectionId);

  const records = afterFull.records;
  const r = full.result;
  const i = incremental.result;
  const checks: SyncCheck[] = [
    equal(`${setup.name} full: created`, records, r.created),
    equal(`${setup.name} full: failed`, 0, r.failed),
    equal(`${setup.name} full: updated + linked + archived`, 0, r.updated + r.linked + r.archived),
    equal(`${setup.name} full: fetched = created + unchanged (pages re-read their boundary record)`, r.fetched, r.created + r.unchanged),
    equal(`${setup.name} full: API calls counted by the sync = calls the fake received`, full.callsSeen, r.apiCalls),
    equal(`${setup.name} full: contacts in the database`, records, afterFull.contacts),
    equal(`${setup.name} full: links to ${setup.name} records`, records, afterFull.links),
    atMost(`${setup.name}: most calls in one window (the fake refuses more)`, limits.perMinute, maxInWindow),
    atMost(`${setup.name}: most calls in flight (the fake refuses more)`, limits.concurrent, maxInFlight),
    equal(`${setup.name} pacer: calls answered 429 (else its floor is not the limits')`, 0, fullPacer.rateLimited + incrementalPacer.rateLimited),
    equal(`${setup.name} pacer: records read over its calls`, records, fullPacer.records),
    equal(`${setup.name} incremental: updated`, CHANGED, i.updated),
    equal(`${setup.name} incremental: created + linked + archived + failed`, 0, i.created + i.linked + i.archived + i.failed),
    equal(`${setup.name} incremental: API calls counted by the sync = calls the fake received`, incremental.callsSeen, i.apiCalls),
    equal(`${setup.name} incremental: contacts carrying the new names`, CHANGED, afterIncremental.renamed),
    equal(`${setup.name} incremental: contacts in the database`, records, afterIncremental.contacts),
  ];
  return {
    figures: {
      provider: setup.provider,
      name: setup.name,
      limits,
      full,
      fullPacer,
      analyticFloorSeconds: analyticFloorSeconds(full.result.apiCalls, limits),
      split,
      maxInFlight,
      maxInWindow,
      incremental,
      incrementalPacer,
    },
    checks,
  };
}

interface Counted {
  records: number;
  contacts: number;
  links: number;
  renamed: number;
}

// ---- the report -----------------------------------------------------------------------------------------------------

export interface SyncBenchFigures {
  records: number;
  seedSeconds: number;
  setting: BenchSetting;
  providers: ProviderFigures[];
  checks: SyncCheck[];
}

const whole = (n: number) => Math.round(n).toLocaleString('en');
const secs = (s: number) => (s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`);
const times = (x: number) => `${x.toFixed(2)}x`;
const met = (ok: boolean) => (ok ? 'met' : 'not met');

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

function providerSection(p: ProviderFigures): string {
  const { full, fullPacer, incremental, incrementalPacer, limits, split } = p;
  const fullRatio = full.seconds / fullPacer.seconds;
  const incRatio = incremental.seconds / incrementalPacer.seconds;
  const minimalCalls = Math.max(1, Math.ceil((CHANGED + 1) / PAGE_SIZE));
  const perDay = limits.perDay > 0 ? `, ${whole(limits.perDay)} a day` : '';
  const targets = table(
    ['measure', 'measured', 'baseline / floor', 'ratio', 'target', ''],
    [
      [
        'full sync: wall time',
        `${secs(full.seconds)} (${full.result.apiCalls} API calls)`,
        `${secs(fullPacer.seconds)}: pacer, ${fullPacer.calls} calls (limits alone: ${secs(p.analyticFloorSeconds)})`,
        times(fullRatio),
        `≤ ${SYNC_TARGETS.ratioToFloor}x`,
        met(fullRatio <= SYNC_TARGETS.ratioToFloor),
      ],
      ['full sync: 429s received', String(full.rateLimited), `${fullPacer.rateLimited} (pacer)`, '', String(SYNC_TARGETS.rateLimited), met(full.rateLimited <= SYNC_TARGETS.rateLimited)],
      [
        `incremental sync of ${CHANGED} changed: API calls`,
        String(incremental.result.apiCalls),
        `${minimalCalls} (${CHANGED} changes + the boundary record fit one page of ${whole(PAGE_SIZE)})`,
        times(incremental.result.apiCalls / minimalCalls),
        `≤ ${SYNC_TARGETS.incrementalApiCalls}`,
        met(incremental.result.apiCalls <= SYNC_TARGETS.incrementalApiCalls),
      ],
      [
        `incremental sync of ${CHANGED} changed: wall time`,
        secs(incremental.seconds),
        `${secs(incrementalPacer.seconds)}: pacer, ${incrementalPacer.calls} call(s)`,
        times(incRatio),
        `< ${SYNC_TARGETS.incrementalSeconds} s`,
        met(incremental.seconds < SYNC_TARGETS.incrementalSeconds),
      ],
      ['incremental sync: 429s received', String(incremental.rateLimited), '', '', String(SYNC_TARGETS.rateLimited), met(incremental.rateLimited <= SYNC_TARGETS.rateLimited)],
    ],
  );
  const r = full.result;
  const where = table(
    ['full sync', 'value'],
    [
      ['result', `${whole(r.fetched)} fetched, ${whole(r.created)} created, ${whole(r.unchanged)} unchanged, ${whole(r.failed)} failed, ${r.apiCalls} API calls`],
      ['most calls in flight at once', `${p.maxInFlight} (the limit allows ${limits.concurrent}; the pacer runs ${limits.concurrent})`],
      [`most calls started in one ${whole(limits.windowMs / 1000)} s window`, `${p.maxInWindow} (the limit allows ${limits.perMinute})`],
      ['time with a call in flight', secs(split.callSeconds)],
      ['time the window made it wait (no call could start sooner)', secs(split.windowWaitSeconds)],
      ['time between one answer and the next request, otherwise', `${secs(split.betweenCallsSeconds)} (median ${secs(split.medianBetweenCallsSeconds)} per page)`],
      ['one call, as the fake timed it (median)', `${secs(split.medianCallSeconds)} (pacer, from its side: ${secs(fullPacer.medianCallSeconds)})`],
      ['CPU: worker / bench process (fakes)', `${full.workerCpuSeconds === undefined ? '?' : secs(full.workerCpuSeconds)} / ${secs(full.benchCpuSeconds)}`],
      ['incremental result', `${whole(incremental.result.fetched)} fetched, ${incremental.result.updated} updated, ${incremental.result.unchanged} unchanged`],
    ],
  );
  return [
    `### ${p.name} (limits: ${limits.perMinute} calls a minute, ${limits.concurrent} at once${perDay})`,
    '',
    targets,
    '',
    where,
    '',
  ].join('\n');
}

export function renderSyncReport(f: SyncBenchFigures): string {
  const s = f.setting;
  const checks = table(
    ['check', 'expected', 'actual', ''],
    f.checks.map((c) => [c.what, c.expected, c.actual, c.ok ? 'OK' : 'MISMATCH']),
  );
  return [
    `## Sync benchmark: ${whole(f.records)} Xero contacts, ${whole(f.records)} QuickBooks customers`,
    '',
    `Postgres: ${s.postgres}. Temporal: ${s.temporal}. ${s.cores} cores, Node ${s.node}. Worker: ${s.worker}. ` +
      `Fakes in the benchmark's process, enforcing the published limits; seeding them took ${secs(f.seedSeconds)}. ` +
      "The pacer makes the sync's number of calls as fast as the limits allow (up to the concurrency limit at once; a call " +
      `starts once the call a minute's quota before it started ${PACER_MARGIN_MS / 1000} s more than a window ago), ` +
      'against a second tenant or realm of the same size. ' +
      'Ratios are measured / pacer; targets are reported, not enforced.',
    '',
    ...f.providers.map(providerSection),
    '### Checks',
    '',
    checks,
    '',
  ].join('\n');
}

// ---- the run --------------------------------------------------------------------------------------------------------

async function countsFor(databaseUrl: string, connectionId: string, records: number): Promise<Counted> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ contacts: number; links: number; renamed: number }[]>`
      select
        (select count(*)::int from contacts where business_id = c.business_id) as contacts,
        (select count(*)::int from external_links where connection_id = c.id) as links,
        (select count(*)::int from contacts where business_id = c.business_id and first_name like 'Changed%') as renamed
      from connections c where c.id = ${connectionId}`;
    return { records, contacts: row?.contacts ?? 0, links: row?.links ?? 0, renamed: row?.renamed ?? 0 };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function xeroView(xero: FakeXero, tenantId: string): FakeView {
  return {
    mark: () => xero.log.length,
    callsSince: (mark) => xero.log.slice(mark).filter((e) => e.kind === 'api' && e.tenantId === tenantId),
    maxInFlight: () => xero.maxInFlight(tenantId),
    maxInWindow: () => xero.maxInWindow(tenantId),
  };
}

function quickBooksView(quickbooks: FakeQuickBooks, realmId: string): FakeView {
  return {
    mark: () => quickbooks.log.length,
    callsSince: (mark) => quickbooks.log.slice(mark).filter((e) => e.kind === 'api' && e.realmId === realmId),
    maxInFlight: () => quickbooks.maxInFlight(realmId),
    maxInWindow: () => quickbooks.maxInWindow(realmId),
  };
}

/** Runs the sync benchmark, prints its report to stdout and answers the exit code: 1 when a check failed. */
export async function runSyncBench(options: SyncBenchOptions): Promise<number> {
  const { log, onCleanup } = options;
  const records = syncRecordsFromEnvironment();

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'switchboard-sync-bench-'));
  await chmod(scratch, 0o755);
  onCleanup('removing the sync scratch folder', () => rm(scratch, { recursive: true, force: true }));

  log('Starting the fakes…');
  const xero = await startFakeXero();
  onCleanup('stopping the fake Xero', () => xero.close());
  const quickbooks = await startFakeQuickBooks();
  onCleanup('stopping the fake QuickBooks', () => quickbooks.close());

  const secretKey = randomBytes(32);
  const { database, setting, config, client, worker } = await startBenchStack({
    scratch,
    projectRoot: options.projectRoot,
    log,
    onCleanup,
    taskQueuePrefix: 'bench-sync',
    secretKey,
    workerEnv: {
      // No webhook receiver: the benchmark starts every sync itself.
      WEBHOOK_PORT: '',
      XERO_CLIENT_ID: xero.clientId,
      XERO_CLIENT_SECRET: xero.clientSecret,
      XERO_API_URL: xero.url,
      XERO_IDENTITY_URL: xero.url,
      XERO_LOGIN_URL: xero.url,
      QBO_CLIENT_ID: quickbooks.clientId,
      QBO_CLIENT_SECRET: quickbooks.clientSecret,
      QBO_API_URL: quickbooks.url,
      QBO_OAUTH_URL: quickbooks.url,
      QBO_AUTHORIZE_URL: `${quickbooks.url}/connect/oauth2`,
    },
  });
  log(`  polling; RSS ${Math.round(memoryOf(worker.pid)?.rssMb ?? 0)} MB`);

  // Two tenants and two realms of the same records: one for the sync, one for the pacer (its own limit windows).
  log(`Seeding ${records.toLocaleString('en')} contacts into each of two Xero tenants and as many customers into each of two QuickBooks realms…`);
  const seed = makeSeed(records);
  const seedStarted = performance.now();
  const [xeroTenant, xeroPacerTenant] = [xero.addTenant({ tenantName: 'Bench Clinic' }), xero.addTenant({ tenantName: 'Bench Clinic (pacer)' })];
  for (const tenant of [xeroTenant, xeroPacerTenant]) xero.seedContacts(tenant, records, (i) => xeroContact(seed, i));
  const [qboRealm, qboPacerRealm] = [quickbooks.addRealm(), quickbooks.addRealm()];
  for (const realm of [qboRealm, qboPacerRealm]) quickbooks.seedCustomers(realm, records, (i) => qboCustomer(seed, i));
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  log(`  ${seedSeconds.toFixed(1)} s`);

  const secretBox = createSecretBox(secretKey);
  const store = openDatabase(database.url, { max: 1 });
  let xeroConnectionId: string;
  let qboConnectionId: string;
  try {
    const expiresAt = (seconds: number) => new Date(Date.now() + seconds * 1000);
    const xeroBusiness = await createBusiness(store.db, { name: 'Xero Bench Clinic', defaultCountry: 'AU', identityPolicy: 'unique' });
    const xeroTokens = xero.issueTokens([xeroTenant]);
    xeroConnectionId = (
      await saveConnection(store.sql, secretBox, {
        businessId: xeroBusiness.id,
        provider: 'xero',
        tenantId: xeroTenant,
        tenantName: 'Bench Clinic',
        tokens: { accessToken: xeroTokens.access_token, refreshToken: xeroTokens.refresh_token, expiresAt: expiresAt(xeroTokens.expires_in) },
      })
    ).id;
    const qboBusiness = await createBusiness(store.db, { name: 'QuickBooks Bench Clinic', defaultCountry: 'AU', identityPolicy: 'unique' });
    const qboTokens = quickbooks.issueTokens(qboRealm);
    qboConnectionId = (
      await saveConnection(store.sql, secretBox, {
        businessId: qboBusiness.id,
        provider: 'quickbooks',
        tenantId: qboRealm,
        tokens: { accessToken: qboTokens.access_token, refreshToken: qboTokens.refresh_token, expiresAt: expiresAt(qboTokens.expires_in) },
      })
    ).id;
  } finally {
    await store.close();
  }

  const harness: Harness = { client, taskQueue: config.taskQueue, worker, log, onCleanup };
  const countsIn = (connectionId: string) => countsFor(database.url, connectionId, records);

  const xeroPacerToken = xero.issueTokens([xeroPacerTenant]).access_token;
  const xeroRead = (since: number | null) =>
    fetch(`${xero.url}/api.xro/2.0/Contacts?order=${encodeURIComponent('UpdatedDateUTC ASC')}&page=1&includeArchived=true&pageSize=${PAGE_SIZE}`, {
      headers: {
        authorization: `Bearer ${xeroPacerToken}`,
        'xero-tenant-id': xeroPacerTenant,
        accept: 'application/json',
        ...(since === null ? {} : { 'if-modified-since': new Date(since).toISOString() }),
      },
    }).then((response) => answered(response, (body) => (body as { Contacts?: unknown[] }).Contacts?.length ?? 0));
  const xeroSetup: ProviderSetup = {
    provider: 'xero',
    name: 'Xero',
    connectionId: xeroConnectionId,
    view: xeroView(xero, xeroTenant),
    // Page k of the full read: the PAGE_SIZE records after record k * PAGE_SIZE - 1 (If-Modified-Since is exclusive).
    fullRead: (k) => xeroRead(k === 0 ? null : seed.changedAt(k * PAGE_SIZE - 1)),
    changesRead: (since) => xeroRead(since),
    change: () => {
      for (const i of seed.changed) {
        for (const tenant of [xeroTenant, xeroPacerTenant]) {
          xero.upsertContact(tenant, { ContactID: xeroContactId(i), FirstName: `Changed${i}`, Name: `Changed${i} Bench` });
        }
      }
    },
  };

  const qboPacerToken = quickbooks.issueTokens(qboPacerRealm).access_token;
  const qboGet = (resource: string, params: Record<string, string>, read: (body: unknown) => number) =>
    fetch(`${quickbooks.url}/v3/company/${qboPacerRealm}/${resource}?${new URLSearchParams({ ...params, minorversion: QBO_MINOR_VERSION })}`, {
      headers: { authorization: `Bearer ${qboPacerToken}`, accept: 'application/json' },
    }).then((response) => answered(response, read));
  const qboSetup: ProviderSetup = {
    provider: 'quickbooks',
    name: 'QuickBooks',
    connectionId: qboConnectionId,
    view: quickBooksView(quickbooks, qboRealm),
    // Page k of the full read, as the connector asks for it: from record k * PAGE_SIZE's second on (>= is inclusive).
    fullRead: (k) => {
      const changed = k === 0 ? '' : `Metadata.LastUpdatedTime >= '${qboInstant(seed.changedAt(k * PAGE_SIZE))}' and `;
      const query =
        `select * from customer where ${changed}Active IN (true, false) orderby Metadata.LastUpdatedTime, Id ` +
        `startposition 1 maxresults ${PAGE_SIZE}`;
      return qboGet('query', { query }, (body) => (body as { QueryResponse?: { Customer?: unknown[] } }).QueryResponse?.Customer?.length ?? 0);
    },
    changesRead: (since) =>
      qboGet('cdc', { entities: 'Customer', changedSince: qboInstant(since) }, (body) =>
        ((body as { CDCResponse?: { QueryResponse?: { Customer?: unknown[] }[] }[] }).CDCResponse ?? [])
          .flatMap((r) => r.QueryResponse ?? [])
          .reduce((sum, q) => sum + (q.Customer?.length ?? 0), 0),
      ),
    change: () => {
      for (const i of seed.changed) {
        for (const realm of [qboRealm, qboPacerRealm]) {
          quickbooks.upsertCustomer(realm, { Id: String(i + 1), GivenName: `Changed${i}`, DisplayName: `Changed${i} Bench` });
        }
      }
    },
  };

  const providers: ProviderFigures[] = [];
  const checks: SyncCheck[] = [];
  for (const setup of [xeroSetup, qboSetup]) {
    const outcome = await benchProvider(harness, setup, countsIn);
    providers.push(outcome.figures);
    checks.push(...outcome.checks);
  }

  const figures: SyncBenchFigures = {
    records,
    seedSeconds,
    setting,
    providers,
    checks,
  };
  process.stdout.write(`\n${renderSyncReport(figures)}\n`);
  const jsonFile = path.join(os.tmpdir(), `switchboard-sync-bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(jsonFile, `${JSON.stringify(figures, null, 2)}\n`);
  log(`Figures as JSON: ${jsonFile}`);

  const mismatches = checks.filter((check) => !check.ok);
  if (mismatches.length > 0) log(`${mismatches.length} sync check(s) MISMATCH: the syncs did not do what the seeded data requires`);
  return mismatches.length > 0 ? 1 : 0;
}
