/** What became of an import's rows; `rows` is always their sum. */
export interface ImportCounts {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export const zeroCounts = (): ImportCounts => ({ created: 0, updated: 0, skipped: 0, failed: 0 });

export const addCounts = (a: ImportCounts, b: ImportCounts): ImportCounts => ({
  created: a.created + b.created,
  updated: a.updated + b.updated,
  skipped: a.skipped + b.skipped,
  failed: a.failed + b.failed,
});

export const rowsOf = (c: ImportCounts): number => c.created + c.updated + c.skipped + c.failed;

/**
 * Errors added to those kept, at most `max` of them in all. Rows an earlier import of the file holds are reported by
 * one notice per batch, naming that import; only its first is kept, so that they do not crowd out the rows that failed.
 */
export function addRowErrors<E extends { importedBefore?: string }>(kept: readonly E[], more: readonly E[], max: number): E[] {
  const noticed = new Set(kept.map((e) => e.importedBefore));
  const added = more.filter((e) => {
    if (e.importedBefore === undefined) return true;
    if (noticed.has(e.importedBefore)) return false;
    noticed.add(e.importedBefore);
    return true;
  });
  return [...kept, ...added].slice(0, max);
}

/** A count as people read it, with thousands separated: 1,204. */
export const formatCount = (n: number): string => n.toLocaleString('en');

/** "1,204 created, 3 updated, 0 skipped, 12 failed". */
export const describeCounts = (c: ImportCounts): string =>
  `${formatCount(c.created)} created, ${formatCount(c.updated)} updated, ${formatCount(c.skipped)} skipped, ${formatCount(c.failed)} failed`;

/** The rows `bytes` of a file hold, at the rate rows read so far took bytes: 0 until some have been read. */
export const estimateRows = (read: { rows: number; bytes: number }, bytes: number): number =>
  read.bytes > 0 ? Math.round((read.rows / read.bytes) * bytes) : 0;

/**
 * Rows done, and the total they are out of: exact once the whole file is read; until then estimated from the bytes
 * read so far, or, before any, from the rows sampled to map the columns.
 */
export function rowsProgress(
  counts: ImportCounts,
  bytes: { done: number; total: number },
  wholeFileRead: boolean,
  sampleEstimate: number,
): { rowsDone: number; rowsTotal: number; rowsTotalIsEstimate: boolean } {
  const rowsDone = rowsOf(counts);
  if (wholeFileRead) return { rowsDone, rowsTotal: rowsDone, rowsTotalIsEstimate: false };
  const estimate = bytes.done > 0 ? estimateRows({ rows: rowsDone, bytes: bytes.done }, bytes.total) : sampleEstimate;
  return { rowsDone, rowsTotal: Math.max(rowsDone, estimate), rowsTotalIsEstimate: true };
}

export function countOutcomes(outcomes: readonly { outcome: keyof ImportCounts }[]): ImportCounts {
  const counts = zeroCounts();
  for (const { outcome } of outcomes) counts[outcome] += 1;
  return counts;
}
