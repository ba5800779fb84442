import { randomUUID } from 'node:crypto';
import type { XeroAddress, XeroContactRecord, XeroPhone } from './types';

/**
 * The fake Xero's contacts of one tenant, and the GET /Contacts query language (paging, order, where, IDs,
 * searchTerm, includeArchived, If-Modified-Since) over them.
 *
 * Contacts are kept in two arrays sorted by (UpdatedDateUTC, ContactID): every contact, and the ACTIVE ones. The usual
 * sync query (If-Modified-Since + order=UpdatedDateUTC ASC + page/pageSize) is then a binary search and a slice, and
 * each contact's JSON is cached until it changes, so a page of 1,000 out of 100,000 costs well under a millisecond
 * plus the string join.
 */

interface Entry {
  c: XeroContactRecord;
  /** The contact's wire JSON, made on first use. */
  wire?: string;
}

export class QueryError extends Error {
  constructor(
    message: string,
    /** Xero's exception type for the 400 body. */
    readonly type: 'QueryParseException' | 'ValidationException' = 'QueryParseException',
  ) {
    super(message);
  }
}

export function msDate(ms: number): string {
  return `/Date(${ms}+0000)/`;
}

const STATUSES = new Set(['ACTIVE', 'ARCHIVED', 'GDPRREQUEST']);
const PHONE_TYPES = ['DDI', 'DEFAULT', 'FAX', 'MOBILE'] as const;
const ADDRESS_TYPES = ['POBOX', 'STREET'] as const;

function compareEntries(a: Entry, b: Entry): number {
  const d = a.c.UpdatedDateUTC - b.c.UpdatedDateUTC;
  if (d !== 0) return d;
  return a.c.ContactID < b.c.ContactID ? -1 : a.c.ContactID > b.c.ContactID ? 1 : 0;
}

/** First index whose entry sorts at or after `e`. */
function lowerBound(list: Entry[], e: Entry): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(list[mid] as Entry, e) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose UpdatedDateUTC is strictly greater than `ms`. */
function firstAfter(list: Entry[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Entry).c.UpdatedDateUTC <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const OPTIONAL_TEXT = ['ContactNumber', 'AccountNumber', 'FirstName', 'LastName', 'EmailAddress', 'CompanyNumber'] as const;

/**
 * A record of a fixed shape built field by field (spreading partial objects made V8 fall back to slow dictionary
 * objects: seeding 100,000 took seconds).
 */
function makeRecord(p: Partial<XeroContactRecord>, id: string, name: string, now: number): XeroContactRecord {
  const r: XeroContactRecord = {
    ContactID: id,
    ContactStatus: p.ContactStatus ?? 'ACTIVE',
    Name: name,
    Addresses: p.Addresses === undefined ? [] : p.Addresses.map((a) => ({ ...a })),
    Phones: p.Phones === undefined ? [] : p.Phones.map((phone) => ({ ...phone })),
    IsSupplier: p.IsSupplier ?? false,
    IsCustomer: p.IsCustomer ?? false,
    UpdatedDateUTC: p.UpdatedDateUTC ?? now,
  };
  for (const key of OPTIONAL_TEXT) {
    const value = p[key];
    if (value !== undefined) r[key] = value;
  }
  return r;
}

function copyRecord(c: XeroContactRecord): XeroContactRecord {
  return makeRecord(c, c.ContactID, c.Name, c.UpdatedDateUTC);
}

function checkRecord(c: XeroContactRecord): void {
  if (!STATUSES.has(c.ContactStatus)) throw new Error(`fake Xero: unknown ContactStatus ${String(c.ContactStatus)}`);
  if (!Number.isFinite(c.UpdatedDateUTC)) throw new Error('fake Xero: UpdatedDateUTC must be ms since the epoch');
  for (const p of c.Phones) {
    if (!(PHONE_TYPES as readonly string[]).includes(p.PhoneType)) throw new Error(`fake Xero: unknown PhoneType ${String(p.PhoneType)}`);
  }
  for (const a of c.Addresses) {
    if (!(ADDRESS_TYPES as readonly string[]).includes(a.AddressType)) throw new Error(`fake Xero: unknown AddressType ${String(a.AddressType)}`);
  }
}

function defaultName(c: Partial<XeroContactRecord>, id: string): string {
  const person = [c.FirstName, c.LastName].filter((part) => part !== undefined && part !== '').join(' ');
  return person !== '' ? person : `Contact ${id.slice(0, 8)}`;
}

function renderPhones(phones: XeroPhone[]): object[] {
  return PHONE_TYPES.map((type) => {
    const p = phones.find((phone) => phone.PhoneType === type);
    return { PhoneType: type, PhoneNumber: p?.PhoneNumber ?? '', PhoneAreaCode: p?.PhoneAreaCode ?? '', PhoneCountryCode: p?.PhoneCountryCode ?? '' };
  });
}

function renderAddresses(addresses: XeroAddress[]): object[] {
  return ADDRESS_TYPES.map((type) => {
    const a = addresses.find((address) => address.AddressType === type);
    if (a === undefined) return { AddressType: type, City: '', Region: '', PostalCode: '', Country: '' };
    const out: Record<string, string> = { AddressType: type };
    for (const key of ['AddressLine1', 'AddressLine2', 'AddressLine3', 'AddressLine4', 'City', 'Region', 'PostalCode', 'Country', 'AttentionTo'] as const) {
      const value = a[key];
      if (value !== undefined) out[key] = value;
    }
    return out;
  });
}

/** A contact as GET /Contacts renders it: the fields of the spec's Contact schema that a plain contact has. */
export function renderContact(c: XeroContactRecord): string {
  const o: Record<string, unknown> = { ContactID: c.ContactID };
  if (c.ContactNumber !== undefined) o.ContactNumber = c.ContactNumber;
  if (c.AccountNumber !== undefined) o.AccountNumber = c.AccountNumber;
  o.ContactStatus = c.ContactStatus;
  o.Name = c.Name;
  if (c.FirstName !== undefined) o.FirstName = c.FirstName;
  if (c.LastName !== undefined) o.LastName = c.LastName;
  if (c.EmailAddress !== undefined) o.EmailAddress = c.EmailAddress;
  if (c.CompanyNumber !== undefined) o.CompanyNumber = c.CompanyNumber;
  o.BankAccountDetails = '';
  o.Addresses = renderAddresses(c.Addresses);
  o.Phones = renderPhones(c.Phones);
  o.UpdatedDateUTC = msDate(c.UpdatedDateUTC);
  o.ContactGroups = [];
  o.IsSupplier = c.IsSupplier;
  o.IsCustomer = c.IsCustomer;
  o.ContactPersons = [];
  o.HasAttachments = false;
  o.HasValidationErrors = false;
  return JSON.stringify(o);
}

function wireOf(e: Entry): string {
  if (e.wire === undefined) e.wire = renderContact(e.c);
  return e.wire;
}

export class TenantContacts {
  private readonly byId = new Map<string, Entry>();
  /** Every contact, by (UpdatedDateUTC, ContactID). */
  private all: Entry[] = [];
  /** The ACTIVE contacts, by (UpdatedDateUTC, ContactID). */
  private active: Entry[] = [];

  get size(): number {
    return this.all.length;
  }

  upsert(patch: Partial<XeroContactRecord>, now: number): XeroContactRecord {
    const existing = patch.ContactID === undefined ? undefined : this.byId.get(patch.ContactID.toLowerCase());
    if (existing !== undefined) {
      const merged = makeRecord({ ...existing.c, ...definedFields(patch), UpdatedDateUTC: patch.UpdatedDateUTC ?? now }, existing.c.ContactID, patch.Name ?? existing.c.Name, now);
      checkRecord(merged);
      this.unlink(existing);
      const entry: Entry = { c: merged };
      this.byId.set(merged.ContactID, entry);
      this.link(entry);
      return copyRecord(merged);
    }
    const record = this.newRecord(patch, now);
    checkRecord(record);
    const entry: Entry = { c: record };
    this.byId.set(record.ContactID, entry);
    this.link(entry);
    return copyRecord(record);
  }

  archive(contactId: string, now: number): XeroContactRecord {
    const existing = this.byId.get(contactId.toLowerCase());
    if (existing === undefined) throw new Error(`fake Xero: no contact ${contactId}`);
    return this.upsert({ ContactID: existing.c.ContactID, ContactStatus: 'ARCHIVED', UpdatedDateUTC: now }, now);
  }

  remove(contactId: string): void {
    const existing = this.byId.get(contactId.toLowerCase());
    if (existing === undefined) throw new Error(`fake Xero: no contact ${contactId}`);
    this.unlink(existing);
    this.byId.delete(existing.c.ContactID);
  }

  seed(count: number, make: ((i: number) => Partial<XeroContactRecord>) | undefined, now: number): void {
    const added: Entry[] = [];
    for (let i = 0; i < count; i++) {
      const patch = make?.(i) ?? {};
      const record = this.newRecord(patch, now, `Seed Contact ${i + 1}`);
      if (!('EmailAddress' in patch)) record.EmailAddress = `seed${i + 1}@example.com`;
      checkRecord(record);
      if (this.byId.has(record.ContactID)) throw new Error(`fake Xero: contact ${record.ContactID} already exists`);
      const entry: Entry = { c: record };
      this.byId.set(record.ContactID, entry);
      added.push(entry);
    }
    this.all = this.all.concat(added).sort(compareEntries);
    this.active = this.all.filter((e) => e.c.ContactStatus === 'ACTIVE');
  }

  list(): XeroContactRecord[] {
    return this.all.map((e) => copyRecord(e.c));
  }

  /** The wire JSON of one contact by ContactID or, failing that, ContactNumber (both GET /Contacts/{...} forms). */
  wireByKey(key: string): string | undefined {
    const byId = this.byId.get(key.toLowerCase());
    if (byId !== undefined) return wireOf(byId);
    const byNumber = this.all.find((e) => e.c.ContactNumber === key);
    return byNumber === undefined ? undefined : wireOf(byNumber);
  }

  /** One page of a GET /Contacts query: the contacts' wire JSON and the number of contacts on all pages. */
  query(q: ContactsQuery): { wires: string[]; itemCount: number } {
    const base = q.includeArchived ? this.all : this.active;
    const start = q.since === undefined ? 0 : firstAfter(base, q.since);
    const offset = (q.page - 1) * q.pageSize;
    const sortedByUpdate = q.order.length === 1 && q.order[0]?.field === 'UpdatedDateUTC';
    if (q.ids === undefined && q.where === undefined && q.searchTerm === undefined && sortedByUpdate) {
      const itemCount = base.length - start;
      const wires: string[] = [];
      const descending = q.order[0]?.descending === true;
      for (let i = offset; i < Math.min(itemCount, offset + q.pageSize); i++) {
        wires.push(wireOf(base[descending ? base.length - 1 - i : start + i] as Entry));
      }
      return { wires, itemCount };
    }
    let matched = base.slice(start);
    if (q.ids !== undefined) {
      const ids = q.ids;
      matched = matched.filter((e) => ids.has(e.c.ContactID));
    }
    if (q.searchTerm !== undefined) {
      const term = q.searchTerm.toLowerCase();
      matched = matched.filter((e) =>
        [e.c.Name, e.c.FirstName, e.c.LastName, e.c.ContactNumber, e.c.EmailAddress].some((v) => v !== undefined && v.toLowerCase().includes(term)),
      );
    }
    if (q.where !== undefined) {
      const where = q.where;
      matched = matched.filter((e) => where(e.c));
    }
    if (!sortedByUpdate) matched.sort(comparatorFor(q.order));
    else if (q.order[0]?.descending === true) matched.reverse();
    return { wires: matched.slice(offset, offset + q.pageSize).map(wireOf), itemCount: matched.length };
  }

  private newRecord(patch: Partial<XeroContactRecord>, now: number, fallbackName?: string): XeroContactRecord {
    const id = (patch.ContactID ?? randomUUID()).toLowerCase();
    return makeRecord(patch, id, patch.Name ?? fallbackName ?? defaultName(patch, id), now);
  }

  private link(e: Entry): void {
    this.all.splice(lowerBound(this.all, e), 0, e);
    if (e.c.ContactStatus === 'ACTIVE') this.active.splice(lowerBound(this.active, e), 0, e);
  }

  private unlink(e: Entry): void {
    for (const list of [this.all, this.active]) {
      const at = lowerBound(list, e);
      if (list[at] === e) list.splice(at, 1);
    }
  }
}

function definedFields<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// GET /Contacts query parameters

export interface OrderKey {
  field: ContactField;
  descending: boolean;
}

export interface ContactsQuery {
  /** If-Modified-Since in ms: only contacts updated strictly after it. */
  since?: number;
  includeArchived: boolean;
  ids?: Set<string>;
  where?: (c: XeroContactRecord) => boolean;
  searchTerm?: string;
  order: OrderKey[];
  page: number;
  pageSize: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

type ValueType = 'string' | 'number' | 'boolean' | 'date' | 'guid' | 'null';
type Value = string | number | boolean | null;

const FIELDS = {
  ContactID: 'guid',
  ContactNumber: 'string',
  AccountNumber: 'string',
  ContactStatus: 'string',
  Name: 'string',
  FirstName: 'string',
  LastName: 'string',
  EmailAddress: 'string',
  CompanyNumber: 'string',
  IsSupplier: 'boolean',
  IsCustomer: 'boolean',
  UpdatedDateUTC: 'date',
} as const satisfies Record<string, ValueType>;
type ContactField = keyof typeof FIELDS;

function fieldNamed(name: string): ContactField {
  // Xero's where and order are case-insensitive about member names (they are .NET Dynamic LINQ).
  const field = (Object.keys(FIELDS) as ContactField[]).find((f) => f.toLowerCase() === name.toLowerCase());
  if (field === undefined) throw new QueryError(`No property or field '${name}' exists in type 'Contact'`);
  return field;
}

function fieldValue(c: XeroContactRecord, field: ContactField): Value {
  const value = c[field];
  return value === undefined ? null : value;
}

/** `order=Name ASC, UpdatedDateUTC DESC`; absent or blank: UpdatedDateUTC ASC (the fake's choice: Xero does not document its default). */
export function parseOrder(text: string | null): OrderKey[] {
  if (text === null || text.trim() === '') return [{ field: 'UpdatedDateUTC', descending: false }];
  return text.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    if (words.length > 2 || words[0] === undefined || words[0] === '') throw new QueryError('Syntax error');
    const direction = (words[1] ?? 'ASC').toUpperCase();
    if (direction !== 'ASC' && direction !== 'DESC' && direction !== 'ASCENDING' && direction !== 'DESCENDING') throw new QueryError("',' or end of expression expected");
    return { field: fieldNamed(words[0]), descending: direction.startsWith('DESC') };
  });
}

function comparatorFor(order: OrderKey[]): (a: Entry, b: Entry) => number {
  return (a, b) => {
    for (const key of order) {
      const d = compareValues(fieldValue(a.c, key.field), fieldValue(b.c, key.field));
      if (d !== 0) return key.descending ? -d : d;
    }
    return a.c.ContactID < b.c.ContactID ? -1 : a.c.ContactID > b.c.ContactID ? 1 : 0;
  };
}

/** Nulls first; text without regard to case (like the SQL collation behind Xero). */
function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  }
  return Number(a) - Number(b);
}

/** ISO 8601 with or without a zone (none = UTC), or an RFC 1123 date; undefined when it is neither. */
export function parseHttpDate(text: string): number | undefined {
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (iso !== null) {
    const [, date, hm = '00:00', seconds = '00', fraction = '', zone = 'Z'] = iso;
    const ms = fraction.padEnd(3, '0').slice(0, 3);
    const normalisedZone = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
    const parsed = Date.parse(`${date}T${hm}:${seconds}.${ms}${normalisedZone}`);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  if (/^[A-Za-z]{3},\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}:\d{2}\s+(GMT|UTC|Z)$/.test(text.trim())) {
    const parsed = Date.parse(text);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// where: a small part of the .NET Dynamic LINQ that Xero accepts, e.g.
//   ContactStatus=="ACTIVE" AND Name.StartsWith("Ada") OR EmailAddress!=null && IsCustomer==true
//   ContactID==Guid("…")   UpdatedDateUTC>=DateTime(2024, 01, 31)   Name.ToLower().Contains("ltd")

interface Token {
  kind: 'ident' | 'string' | 'number' | 'op' | 'punct' | 'end';
  text: string;
  at: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const at = i;
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new QueryError(`Unterminated string literal at position ${at}`);
        const c = text[i] as string;
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === ch && text[i + 1] === ch) {
          value += ch;
          i += 2;
        } else if (c === ch) {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: value, at });
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (number !== null && (ch !== '-' || tokens.length === 0 || tokens[tokens.length - 1]?.kind === 'op' || tokens[tokens.length - 1]?.text === '(' || tokens[tokens.length - 1]?.text === ',')) {
      tokens.push({ kind: 'number', text: number[0], at });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (ident !== null) {
      tokens.push({ kind: 'ident', text: ident[0], at });
      i += ident[0].length;
      continue;
    }
    const op = /^(==|!=|<>|>=|<=|&&|\|\||[<>=!])/.exec(text.slice(i));
    if (op !== null) {
      tokens.push({ kind: 'op', text: op[0], at });
      i += op[0].length;
      continue;
    }
    if ('().,'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch, at });
      i++;
      continue;
    }
    throw new QueryError(`Syntax error '${ch}'`);
  }
  tokens.push({ kind: 'end', text: '', at: text.length });
  return tokens;
}

interface Node {
  type: ValueType;
  eval: (c: XeroContactRecord) => Value;
}

const TYPE_NAMES: Record<ValueType, string> = { string: 'String', number: 'Int32', boolean: 'Boolean', date: 'DateTime', guid: 'Guid', null: 'Object' };

class WhereParser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end') throw new QueryError(`Syntax error at position ${rest.at}`);
    if (node.type !== 'boolean') throw new QueryError("Expression of type 'Boolean' expected");
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text || t.kind === 'string') throw new QueryError(`'${text}' expected`);
  }

  private or(): Node {
    let left = this.and();
    while (this.isWord('OR') || this.peek().text === '||') {
      this.next();
      const right = this.and();
      const l = left;
      requireBoolean(l, right, 'OR');
      left = { type: 'boolean', eval: (c) => l.eval(c) === true || right.eval(c) === true };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.isWord('AND') || this.peek().text === '&&') {
      this.next();
      const right = this.not();
      const l = left;
      requireBoolean(l, right, 'AND');
      left = { type: 'boolean', eval: (c) => l.eval(c) === true && right.eval(c) === true };
    }
    return left;
  }

  private not(): Node {
    if (this.isWord('NOT') || (this.peek().kind === 'op' && this.peek().text === '!')) {
      this.next();
      const inner = this.not();
      if (inner.type !== 'boolean') throw new QueryError(`Operator 'not' incompatible with operand type '${TYPE_NAMES[inner.type]}'`);
      return { type: 'boolean', eval: (c) => inner.eval(c) !== true };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const left = this.postfix();
    const t = this.peek();
    if (t.kind !== 'op' || ['&&', '||', '!'].includes(t.text)) return left;
    this.next();
    const op = t.text === '=' ? '==' : t.text === '<>' ? '!=' : t.text;
    const right = this.postfix();
    const incompatible = new QueryError(`Operator '${op}' incompatible with operand types '${TYPE_NAMES[left.type]}' and '${TYPE_NAMES[right.type]}'`);
    if (op === '==' || op === '!=') {
      const comparable =
        left.type === right.type ||
        left.type === 'null' ||
        right.type === 'null' ||
        (left.type === 'guid' && right.type === 'string') ||
        (left.type === 'string' && right.type === 'guid');
      if (!comparable) throw incompatible;
      const caseless = left.type === 'guid' || right.type === 'guid';
      return {
        type: 'boolean',
        eval: (c) => {
          let a = left.eval(c);
          let b = right.eval(c);
          if (caseless) {
            a = typeof a === 'string' ? a.toLowerCase() : a;
            b = typeof b === 'string' ? b.toLowerCase() : b;
          }
          return (a === b) === (op === '==');
        },
      };
    }
    if (left.type !== right.type || (left.type !== 'number' && left.type !== 'date')) throw incompatible;
    return {
      type: 'boolean',
      eval: (c) => {
        const a = left.eval(c);
        const b = right.eval(c);
        if (typeof a !== 'number' || typeof b !== 'number') return false;
        return op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;
      },
    };
  }

  private postfix(): Node {
    let node = this.primary();
    while (this.peek().text === '.' && this.peek().kind === 'punct') {
      this.next();
      const name = this.next();
      if (name.kind !== 'ident') throw new QueryError('Identifier expected');
      const args = this.arguments();
      node = stringMethod(node, name.text, args);
    }
    return node;
  }

  private arguments(): Node[] {
    this.expect('(');
    const args: Node[] = [];
    if (this.peek().text === ')' && this.peek().kind === 'punct') {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.or());
      const t = this.next();
      if (t.text === ')' && t.kind === 'punct') return args;
      if (t.text !== ',' || t.kind !== 'punct') throw new QueryError("')' or ',' expected");
    }
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'string': {
        const value = t.text;
        return { type: 'string', eval: () => value };
      }
      case 'number': {
        const value = Number(t.text);
        return { type: 'number', eval: () => value };
      }
      case 'punct':
        if (t.text === '(') {
          const inner = this.or();
          this.expect(')');
          return inner;
        }
        throw new QueryError(`Expression expected at position ${t.at}`);
      case 'ident': {
        const word = t.text.toLowerCase();
        if (word === 'true' || word === 'false') {
          const value = word === 'true';
          return { type: 'boolean', eval: () => value };
        }
        if (word === 'null') return { type: 'null', eval: () => null };
        if (this.peek().text === '(' && this.peek().kind === 'punct') return this.constructorCall(t.text, this.arguments());
        const field = fieldNamed(t.text);
        const type: ValueType = FIELDS[field];
        if (field === 'ContactID') return { type, eval: (c) => c.ContactID.toLowerCase() };
        return { type, eval: (c) => fieldValue(c, field) };
      }
      default:
        throw new QueryError(`Expression expected at position ${t.at}`);
    }
  }

  private constructorCall(name: string, args: Node[]): Node {
    const constants = args.map((a) => a.eval({} as XeroContactRecord));
    if (name.toLowerCase() === 'guid') {
      const [value] = constants;
      if (constants.length !== 1 || typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
        throw new QueryError('Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).');
      }
      const guid = value.toLowerCase();
      return { type: 'guid', eval: () => guid };
    }
    if (name.toLowerCase() === 'datetime') {
      if (constants.length < 3 || constants.length > 6 || constants.some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
        throw new QueryError("No applicable constructor exists in type 'DateTime'");
      }
      const [y, m, d, h = 0, mi = 0, s = 0] = constants as number[];
      const ms = Date.UTC(y as number, (m as number) - 1, d as number, h, mi, s);
      return { type: 'date', eval: () => ms };
    }
    throw new QueryError(`No property or field '${name}' exists in type 'Contact'`);
  }
}

function requireBoolean(left: Node, right: Node, op: string): void {
  if (left.type !== 'boolean' || right.type !== 'boolean') {
    throw new QueryError(`Operator '${op.toLowerCase()}' incompatible with operand types '${TYPE_NAMES[left.type]}' and '${TYPE_NAMES[right.type]}'`);
  }
}

function stringMethod(target: Node, name: string, args: Node[]): Node {
  if (target.type !== 'string') throw new QueryError(`No applicable method '${name}' exists in type '${TYPE_NAMES[target.type]}'`);
  const method = name.toLowerCase();
  if (method === 'tolower' || method === 'toupper' || method === 'trim') {
    if (args.length !== 0) throw new QueryError(`No applicable method '${name}' exists in type 'String'`);
    return {
      type: 'string',
      eval: (c) => {
        const v = target.eval(c);
        if (typeof v !== 'string') return null;
        return method === 'tolower' ? v.toLowerCase() : method === 'toupper' ? v.toUpperCase() : v.trim();
      },
    };
  }
  if (method === 'startswith' || method === 'endswith' || method === 'contains') {
    const [arg] = args;
    if (args.length !== 1 || arg === undefined || arg.type !== 'string') throw new QueryError(`No applicable method '${name}' exists in type 'String'`);
    return {
      type: 'boolean',
      eval: (c) => {
        const v = target.eval(c);
        const a = arg.eval(c);
        if (typeof v !== 'string' || typeof a !== 'string') return false;
        return method === 'startswith' ? v.startsWith(a) : method === 'endswith' ? v.endsWith(a) : v.includes(a);
      },
    };
  }
  throw new QueryError(`No applicable method '${name}' exists in type 'String'`);
}

export function parseWhere(text: string): (c: XeroContactRecord) => boolean {
  const node = new WhereParser(tokenize(text)).parse();
  return (c) => node.eval(c) === true;
}

/** The GET /Contacts query string read into a query; QueryError for what Xero would answer 400 to. */
export function parseContactsQuery(params: URLSearchParams, ifModifiedSince: string | undefined): ContactsQuery {
  const get = (name: string): string | null => {
    // Xero reads query parameter names without regard to case.
    for (const [key, value] of params) if (key.toLowerCase() === name.toLowerCase()) return value;
    return null;
  };
  let since: number | undefined;
  if (ifModifiedSince !== undefined && ifModifiedSince.trim() !== '') {
    since = parseHttpDate(ifModifiedSince);
    if (since === undefined) throw new QueryError(`The If-Modified-Since header '${ifModifiedSince}' is not a valid date`, 'ValidationException');
  }
  const pageText = get('page');
  const page = pageText === null ? 1 : Number(pageText);
  if (!Number.isInteger(page) || page < 1) throw new QueryError(`The value '${pageText}' is not valid for page`, 'ValidationException');
  const sizeText = get('pageSize');
  const requestedSize = sizeText === null ? DEFAULT_PAGE_SIZE : Number(sizeText);
  if (!Number.isInteger(requestedSize) || requestedSize < 1) throw new QueryError(`The value '${sizeText}' is not valid for pageSize`, 'ValidationException');
  const idsText = get('IDs');
  const ids = idsText === null || idsText.trim() === '' ? undefined : new Set(idsText.split(',').map((id) => id.trim().replace(/^"|"$/g, '').toLowerCase()).filter((id) => id !== ''));
  const whereText = get('where');
  const searchTerm = get('searchTerm');
  return {
    since,
    includeArchived: (get('includeArchived') ?? '').toLowerCase() === 'true',
    ids,
    where: whereText === null || whereText.trim() === '' ? undefined : parseWhere(whereText),
    searchTerm: searchTerm === null || searchTerm === '' ? undefined : searchTerm,
    order: parseOrder(get('order')),
    page,
    // Above the maximum, Xero answers pages of the maximum (the fake clamps, and says so in pagination.pageSize).
    pageSize: Math.min(requestedSize, MAX_PAGE_SIZE),
  };
}
