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

export function countOutcomes(outcomes: readonly { outcome: keyof ImportCounts }[]): ImportCounts {
  const counts = zeroCounts();
  for (const { outcome } of outcomes) counts[outcome] += 1;
  return counts;
}
