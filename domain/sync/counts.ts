export type SyncMode = 'incremental' | 'full';

/** What a sync did, record by record: fetched = created + updated + linked + archived + unchanged + failed. */
export interface SyncCounts {
  fetched: number;
  created: number;
  updated: number;
  linked: number;
  archived: number;
  unchanged: number;
  failed: number;
  apiCalls: number;
}

export const zeroSyncCounts = (): SyncCounts => ({ fetched: 0, created: 0, updated: 0, linked: 0, archived: 0, unchanged: 0, failed: 0, apiCalls: 0 });

export function addSyncCounts(a: SyncCounts, b: SyncCounts): SyncCounts {
  return {
    fetched: a.fetched + b.fetched,
    created: a.created + b.created,
    updated: a.updated + b.updated,
    linked: a.linked + b.linked,
    archived: a.archived + b.archived,
    unchanged: a.unchanged + b.unchanged,
    failed: a.failed + b.failed,
    apiCalls: a.apiCalls + b.apiCalls,
  };
}
