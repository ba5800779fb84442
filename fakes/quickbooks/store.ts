import type { QboCustomerInput, QboCustomerRecord } from './types';
import { wireSecond } from './time';

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Orders Ids as QBO's numeric Ids sort: by number when both are digits (digits before anything else), else as text. */
export function compareIds(a: string, b: string): number {
  const an = isDigits(a);
  const bn = isDigits(b);
  if (an && bn) {
    const x = a.length > 1 && a[0] === '0' ? a.replace(/^0+(?=\d)/, '') : a;
    const y = b.length > 1 && b[0] === '0' ? b.replace(/^0+(?=\d)/, '') : b;
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The natural order: LastUpdatedTime as the wire shows it (to the second), then Id. */
export function compareRecords(a: QboCustomerRecord, b: QboCustomerRecord): number {
  return wireSecond(a.MetaData.LastUpdatedTime) - wireSecond(b.MetaData.LastUpdatedTime) || compareIds(a.Id, b.Id);
}

/** The first index in [0, length] at which `isAtOrPast` turns true (it must be false…false true…true). */
export function firstIndex<T>(items: readonly T[], isAtOrPast: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAtOrPast(items[mid] as T)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function normaliseName(name: string): string {
  const lower = name.trim().toLowerCase();
  return /\s\s|[\t\n\r\f\v]/.test(lower) ? lower.replace(/\s+/g, ' ') : lower;
}

export interface QueryCursor {
  version: number;
  /** Matching records consumed so far (the next page's STARTPOSITION minus 1). */
  matched: number;
  /** How far the walk through the candidates has gone. */
  walked: number;
}

export interface DeletedCustomer {
  Id: string;
  LastUpdatedTime: number;
}

export class DuplicateNameError extends Error {
  constructor(
    readonly displayName: string,
    readonly existingId: string,
  ) {
    super(`DisplayName "${displayName}" is already used by customer ${existingId}`);
  }
}

const NAME_PARTS = ['Title', 'GivenName', 'MiddleName', 'FamilyName', 'Suffix'] as const;

/** QBO builds a missing DisplayName from the name parts, in this order. */
export function derivedDisplayName(c: QboCustomerInput): string {
  return NAME_PARTS.map((k) => c[k]?.trim())
    .filter((s): s is string => !!s)
    .join(' ');
}

/**
 * One company's customers. Records are immutable: a change replaces the object, so the sorted array can find the old
 * one by its key. `rows` stays sorted by (LastUpdatedTime to the second, Id), the order queries and CDC walk.
 */
export class CustomerStore {
  readonly rows: QboCustomerRecord[] = [];
  readonly byId = new Map<string, QboCustomerRecord>();
  readonly deleted: DeletedCustomer[] = [];
  /** Bumped by every change, so that cached query cursors know when they are stale. */
  version = 0;
  /** Where recent queries stopped, so that the next page resumes instead of rescanning (see query.ts). */
  readonly cursors = new Map<string, QueryCursor>();
  private readonly names = new Map<string, string>();
  private nextId = 1;
  private nextAddrId = 1;

  newId(): string {
    return String(this.nextId++);
  }

  newAddrId(): string {
    return String(this.nextAddrId++);
  }

  private claimId(id: string): void {
    if (/^\d+$/.test(id) && Number(id) >= this.nextId) this.nextId = Number(id) + 1;
  }

  /** The Id of another customer using this DisplayName (compared trimmed and case-insensitively), if any. */
  nameOwner(displayName: string, exceptId?: string): string | undefined {
    const owner = this.names.get(normaliseName(displayName));
    return owner !== undefined && owner !== exceptId ? owner : undefined;
  }

  /** Puts a record in, replacing the one with its Id. Throws DuplicateNameError for a taken DisplayName. */
  put(record: QboCustomerRecord): QboCustomerRecord {
    const owner = this.nameOwner(record.DisplayName, record.Id);
    if (owner !== undefined) throw new DuplicateNameError(record.DisplayName, owner);
    const old = this.byId.get(record.Id);
    if (old) this.remove(old);
    this.version++;
    this.claimId(record.Id);
    this.byId.set(record.Id, record);
    this.names.set(normaliseName(record.DisplayName), record.Id);
    this.rows.splice(
      firstIndex(this.rows, (r) => compareRecords(r, record) > 0),
      0,
      record,
    );
    return record;
  }

  /** Appends many new records at once and sorts once: fast enough for 100,000. All or nothing. */
  putMany(records: QboCustomerRecord[]): void {
    let done = 0;
    try {
      for (; done < records.length; done++) {
        const r = records[done] as QboCustomerRecord;
        if (this.byId.has(r.Id)) throw new Error(`customer ${r.Id} already exists`);
        const key = normaliseName(r.DisplayName);
        const owner = this.names.get(key);
        if (owner !== undefined) throw new DuplicateNameError(r.DisplayName, owner);
        this.byId.set(r.Id, r);
        this.names.set(key, r.Id);
      }
    } catch (err) {
      for (let i = 0; i < done; i++) {
        const r = records[i] as QboCustomerRecord;
        this.byId.delete(r.Id);
        this.names.delete(normaliseName(r.DisplayName));
      }
      throw err;
    }
    this.version++;
    for (const r of records) {
      this.claimId(r.Id);
      this.rows.push(r);
    }
    this.rows.sort(compareRecords);
  }

  private remove(record: QboCustomerRecord): void {
    const at = firstIndex(this.rows, (r) => compareRecords(r, record) >= 0);
    if (this.rows[at]?.Id !== record.Id) throw new Error(`customer index out of order at ${record.Id}`);
    this.rows.splice(at, 1);
    this.byId.delete(record.Id);
    this.names.delete(normaliseName(record.DisplayName));
  }

  /** Hard delete: the record goes, a tombstone stays for CDC. */
  delete(id: string, at: number): void {
    const old = this.byId.get(id);
    if (!old) throw new Error(`no customer ${id}`);
    this.remove(old);
    this.version++;
    this.deleted.splice(
      firstIndex(this.deleted, (d) => d.LastUpdatedTime > at),
      0,
      { Id: id, LastUpdatedTime: at },
    );
  }
}
