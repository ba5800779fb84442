/**
 * Where an incremental sync stands with one connection. Providers give "changed since" reads ordered by the time of
 * change; the position moves past a page only once that page is stored, and stays a little behind the newest change
 * it stored, so that records sharing the boundary instant are read again (and found unchanged) rather than skipped.
 */
export interface SyncPosition {
  /** Read records changed after this instant (ms since the epoch); null: from the beginning. */
  since: number | null;
  /** The page within `since`; above 1 only while a whole page shares one boundary instant. */
  page: number;
}

/** How far behind the newest stored change the next read starts: covers providers that compare by whole seconds. */
export const BOUNDARY_MARGIN_MS = 1000;

export const startOfTime = (): SyncPosition => ({ since: null, page: 1 });

export interface PageStep {
  position: SyncPosition;
  /** A short page: nothing more changed since. */
  done: boolean;
}

export function nextPosition(position: SyncPosition, updatedAts: readonly number[], pageSize: number): PageStep {
  const done = updatedAts.length < pageSize;
  if (updatedAts.length === 0) return { position, done };
  const newest = Math.max(...updatedAts);
  const since = newest - BOUNDARY_MARGIN_MS;
  if (position.since !== null && since <= position.since) {
    // The whole page lies within the margin of where it started: the next page of the same read, not a new read.
    return { position: done ? position : { since: position.since, page: position.page + 1 }, done };
  }
  return { position: { since, page: 1 }, done };
}

/** QuickBooks' change data capture looks back at most 30 days; older cursors page through queries instead. */
export const CDC_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;
/** …and keeps a day's safety from that edge, since the provider measures the 30 days on its own clock. */
const CDC_SAFETY_MS = 24 * 60 * 60 * 1000;

export function canUseChangeDataCapture(since: number | null, now: number): since is number {
  return since !== null && now - since < CDC_LOOKBACK_MS - CDC_SAFETY_MS;
}
