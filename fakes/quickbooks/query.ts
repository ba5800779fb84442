/**
 * The subset of QBO's query language the fake understands:
 *
 *   SELECT * | COUNT(*) FROM <Entity>
 *     [WHERE <cond> [AND <cond>]...]         cond: <Property> (= | < | > | <= | >= | LIKE) <value> | <Property> IN (<value>, ...)
 *     [ORDERBY <Property> [ASC|DESC] [, ...]]
 *     [STARTPOSITION n] [MAXRESULTS n]      MAXRESULTS at most 1000, default 100; STARTPOSITION 1-based
 *
 * Keywords and property names are case-insensitive (`MetaData`/`Metadata`), strings are single-quoted with `\'` for a
 * quote (node-quickbooks escapes that way), OR, GROUP BY and JOIN do not exist (as in QBO). Without an Active
 * condition only active customers come back, as QBO does. Times compare as the wire shows them, to the second.
 * Errors are QBO's: 4000 "Error parsing query" (QueryParserError) and 4001 "Invalid query" (QueryValidationError).
 */
import type { QboCustomerRecord } from './types';
import { compareIds, compareRecords, firstIndex, type CustomerStore } from './store';
import { parseQboDateTime, wireSecond } from './time';

export class QueryError extends Error {
  constructor(
    readonly code: '4000' | '4001',
    readonly detail: string,
  ) {
    super(code === '4000' ? 'Error parsing query' : 'Invalid query');
  }
}

type TokenKind = 'IDENTIFIER' | 'STRING' | 'INTEGER' | 'SYMBOL' | 'EOF';
interface Token {
  kind: TokenKind;
  text: string;
  value: string;
  column: number;
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const column = i + 1;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new QueryError('4000', `QueryParserError: Lexical error at line 1, column ${sql.length + 1}.  Encountered: <EOF> after : "${sql.slice(i)}"`);
        const c = sql[j] as string;
        if (c === '\\' && j + 1 < sql.length) {
          value += sql[j + 1];
          j += 2;
        } else if (c === "'") {
          j++;
          break;
        } else {
          value += c;
          j++;
        }
      }
      tokens.push({ kind: 'STRING', text: sql.slice(i, j), value, column });
      i = j;
    } else if (/\d/.test(ch)) {
      const m = /^\d+(?:\.\d+)?/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'INTEGER', text: m[0], value: m[0], column });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'IDENTIFIER', text: m[0], value: m[0], column });
      i += m[0].length;
    } else {
      const two = sql.slice(i, i + 2);
      const sym = two === '<=' || two === '>=' ? two : ch;
      if (!['(', ')', '*', ',', '=', '<', '>', '<=', '>='].includes(sym)) {
        throw new QueryError('4000', `QueryParserError: Lexical error at line 1, column ${column}.  Encountered: "${sym}"`);
      }
      tokens.push({ kind: 'SYMBOL', text: sym, value: sym, column });
      i += sym.length;
    }
  }
  tokens.push({ kind: 'EOF', text: '<EOF>', value: '', column: sql.length + 1 });
  return tokens;
}

export type Operator = '=' | '<' | '>' | '<=' | '>=' | 'LIKE' | 'IN';
export type Literal = string | number | boolean;

export interface Condition {
  property: string; // as written
  operator: Operator;
  values: Literal[]; // one, except for IN
}

export interface OrderBy {
  property: string;
  descending: boolean;
}

export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Condition[];
  orderBy: OrderBy[];
  startPosition: number;
  maxResults: number;
}

export const MAX_RESULTS_LIMIT = 1000;
const DEFAULT_MAX_RESULTS = 100;

export function parseQuery(sql: string): ParsedQuery {
  if (sql.trim() === '') throw new QueryError('4000', 'QueryParserError: The query provided was empty');
  const tokens = tokenize(sql);
  let pos = 0;
  const peek = (): Token => tokens[pos] as Token;
  const fail = (t: Token): never => {
    const what = t.kind === 'EOF' ? '"<EOF>"' : `" <${t.kind}> "${t.text} ""`;
    throw new QueryError('4000', `QueryParserError: Encountered ${what} at line 1, column ${t.column}.`);
  };
  const isKeyword = (t: Token, word: string) => t.kind === 'IDENTIFIER' && t.value.toUpperCase() === word;
  const keyword = (word: string): void => {
    const t = peek();
    if (!isKeyword(t, word)) fail(t);
    pos++;
  };
  const symbol = (s: string): void => {
    const t = peek();
    if (t.kind !== 'SYMBOL' || t.value !== s) fail(t);
    pos++;
  };
  const identifier = (): string => {
    const t = peek();
    if (t.kind !== 'IDENTIFIER') fail(t);
    pos++;
    return t.value;
  };
  const integer = (): number => {
    const t = peek();
    if (t.kind !== 'INTEGER' || t.value.includes('.')) fail(t);
    pos++;
    return Number(t.value);
  };
  const literal = (): Literal => {
    const t = peek();
    pos++;
    if (t.kind === 'STRING') return t.value;
    if (t.kind === 'INTEGER') return Number(t.value);
    if (t.kind === 'IDENTIFIER' && /^(true|false)$/i.test(t.value)) return t.value.toLowerCase() === 'true';
    return fail(t);
  };

  keyword('SELECT');
  let count = false;
  if (peek().kind === 'SYMBOL' && peek().value === '*') {
    pos++;
  } else if (isKeyword(peek(), 'COUNT')) {
    pos++;
    symbol('(');
    symbol('*');
    symbol(')');
    count = true;
  } else {
    // QBO allows a list of properties; the fake always answers with whole entities, as QBO mostly does.
    identifier();
    while (peek().kind === 'SYMBOL' && peek().value === ',') {
      pos++;
      identifier();
    }
  }
  keyword('FROM');
  const entity = identifier();

  const where: Condition[] = [];
  if (isKeyword(peek(), 'WHERE')) {
    pos++;
    for (;;) {
      const property = identifier();
      const t = peek();
      let operator: Operator;
      if (t.kind === 'SYMBOL' && ['=', '<', '>', '<=', '>='].includes(t.value)) operator = t.value as Operator;
      else if (isKeyword(t, 'LIKE')) operator = 'LIKE';
      else if (isKeyword(t, 'IN')) operator = 'IN';
      else return fail(t);
      pos++;
      const values: Literal[] = [];
      if (operator === 'IN') {
        symbol('(');
        values.push(literal());
        while (peek().kind === 'SYMBOL' && peek().value === ',') {
          pos++;
          values.push(literal());
        }
        symbol(')');
      } else {
        values.push(literal());
      }
      where.push({ property, operator, values });
      if (!isKeyword(peek(), 'AND')) break;
      pos++;
    }
  }

  const orderBy: OrderBy[] = [];
  if (isKeyword(peek(), 'ORDERBY')) {
    pos++;
    for (;;) {
      const property = identifier();
      let descending = false;
      if (isKeyword(peek(), 'ASC')) pos++;
      else if (isKeyword(peek(), 'DESC')) {
        pos++;
        descending = true;
      }
      orderBy.push({ property, descending });
      if (!(peek().kind === 'SYMBOL' && peek().value === ',')) break;
      pos++;
    }
  }

  let startPosition = 1;
  let maxResults = DEFAULT_MAX_RESULTS;
  for (;;) {
    if (isKeyword(peek(), 'STARTPOSITION')) {
      pos++;
      startPosition = integer();
    } else if (isKeyword(peek(), 'MAXRESULTS')) {
      pos++;
      maxResults = integer();
    } else {
      break;
    }
  }
  if (peek().kind !== 'EOF') fail(peek());
  if (maxResults > MAX_RESULTS_LIMIT) {
    throw new QueryError('4001', `QueryValidationError: value ${maxResults} for MAXRESULTS exceeds the maximum allowed value of ${MAX_RESULTS_LIMIT}`);
  }
  if (maxResults < 1) throw new QueryError('4001', `QueryValidationError: value ${maxResults} for MAXRESULTS must be positive`);
  return { count, entity, where, orderBy, startPosition: Math.max(1, startPosition), maxResults };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation against the customer store

type PropertyKind = 'id' | 'text' | 'bool' | 'time';
interface Property {
  name: string;
  kind: PropertyKind;
  get: (c: QboCustomerRecord) => string | boolean | number | undefined;
}

const PROPERTIES: Property[] = [
  { name: 'Id', kind: 'id', get: (c) => c.Id },
  { name: 'DisplayName', kind: 'text', get: (c) => c.DisplayName },
  { name: 'FullyQualifiedName', kind: 'text', get: (c) => c.DisplayName },
  { name: 'GivenName', kind: 'text', get: (c) => c.GivenName },
  { name: 'MiddleName', kind: 'text', get: (c) => c.MiddleName },
  { name: 'FamilyName', kind: 'text', get: (c) => c.FamilyName },
  { name: 'CompanyName', kind: 'text', get: (c) => c.CompanyName },
  { name: 'PrimaryEmailAddr', kind: 'text', get: (c) => c.PrimaryEmailAddr?.Address },
  { name: 'Active', kind: 'bool', get: (c) => c.Active },
  { name: 'MetaData.CreateTime', kind: 'time', get: (c) => wireSecond(c.MetaData.CreateTime) },
  { name: 'MetaData.LastUpdatedTime', kind: 'time', get: (c) => wireSecond(c.MetaData.LastUpdatedTime) },
];
const BY_NAME = new Map(PROPERTIES.map((p) => [p.name.toLowerCase(), p]));

/** Other QBO entities: a query on them is valid and, in this fake, empty. */
const OTHER_ENTITIES = new Set(
  ['Account', 'Bill', 'CompanyInfo', 'CreditMemo', 'Department', 'Employee', 'Estimate', 'Invoice', 'Item', 'Payment',
    'Preferences', 'Purchase', 'PurchaseOrder', 'SalesReceipt', 'TaxCode', 'Term', 'Vendor'].map((e) => e.toLowerCase()),
);

function property(name: string, entity: string): Property {
  const p = BY_NAME.get(name.toLowerCase());
  if (!p) throw new QueryError('4001', `QueryValidationError: Property ${name} not found for Entity ${entity}`);
  return p;
}

interface Predicate {
  property: Property;
  test: (value: string | boolean | number | undefined) => boolean;
}

function likeRegExp(pattern: string): RegExp {
  const body = pattern
    .split('%')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'is');
}

function compileCondition(c: Condition, entity: string): Predicate {
  const p = property(c.property, entity);
  const invalid = (): never => {
    throw new QueryError('4001', `QueryValidationError: Invalid value for property ${p.name}: ${c.values.map(String).join(', ')}`);
  };
  if (p.kind === 'bool') {
    if (c.operator !== '=' && c.operator !== 'IN') invalid();
    const wanted = c.values.map((v) => (typeof v === 'boolean' ? v : /^(true|false)$/i.test(String(v)) ? /^true$/i.test(String(v)) : invalid()));
    return { property: p, test: (v) => wanted.includes(v as boolean) };
  }
  if (p.kind === 'time') {
    if (c.operator === 'LIKE') invalid();
    const times = c.values.map((v) => (typeof v === 'string' ? (parseQboDateTime(v) ?? invalid()) : invalid()));
    const t = times[0] as number;
    const n = (v: unknown) => v as number;
    switch (c.operator) {
      case '=':
        return { property: p, test: (v) => n(v) === t };
      case '<':
        return { property: p, test: (v) => n(v) < t };
      case '>':
        return { property: p, test: (v) => n(v) > t };
      case '<=':
        return { property: p, test: (v) => n(v) <= t };
      case '>=':
        return { property: p, test: (v) => n(v) >= t };
      default:
        return { property: p, test: (v) => times.includes(n(v)) };
    }
  }
  // Text and Id: QBO's comparisons are case-insensitive.
  const texts = c.values.map((v) => (typeof v === 'boolean' ? invalid() : String(v)));
  const first = texts[0] as string;
  if (p.kind === 'id') {
    const cmp = (v: unknown) => compareIds(String(v), first);
    switch (c.operator) {
      case '=':
        return { property: p, test: (v) => v === first };
      case 'IN':
        return { property: p, test: (v) => texts.includes(v as string) };
      case '<':
        return { property: p, test: (v) => cmp(v) < 0 };
      case '>':
        return { property: p, test: (v) => cmp(v) > 0 };
      case '<=':
        return { property: p, test: (v) => cmp(v) <= 0 };
      case '>=':
        return { property: p, test: (v) => cmp(v) >= 0 };
      default:
        return invalid();
    }
  }
  const lower = texts.map((s) => s.toLowerCase());
  const l0 = lower[0] as string;
  const low = (v: unknown) => (v === undefined ? undefined : String(v).toLowerCase());
  switch (c.operator) {
    case '=':
      return { property: p, test: (v) => low(v) === l0 };
    case 'IN':
      return { property: p, test: (v) => lower.includes(low(v) as string) };
    case 'LIKE': {
      const re = likeRegExp(first);
      return { property: p, test: (v) => v !== undefined && re.test(String(v)) };
    }
    case '<':
      return { property: p, test: (v) => v !== undefined && (low(v) as string) < l0 };
    case '>':
      return { property: p, test: (v) => v !== undefined && (low(v) as string) > l0 };
    case '<=':
      return { property: p, test: (v) => v !== undefined && (low(v) as string) <= l0 };
    default:
      return { property: p, test: (v) => v !== undefined && (low(v) as string) >= l0 };
  }
}

export type QueryResult =
  | { kind: 'count'; entity: string; totalCount: number }
  | { kind: 'page'; entity: string; startPosition: number; records: QboCustomerRecord[] };

function compareValues(a: string | boolean | number | undefined, b: string | boolean | number | undefined, kind: PropertyKind): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  if (kind === 'id') return compareIds(String(a), String(b));
  if (kind === 'text') {
    const x = String(a).toLowerCase();
    const y = String(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Number(a) - Number(b);
}

/** Runs a parsed query against one company's customers. */
export function runQuery(store: CustomerStore, q: ParsedQuery): QueryResult {
  const entityKey = q.entity.toLowerCase();
  if (entityKey !== 'customer') {
    if (!OTHER_ENTITIES.has(entityKey)) throw new QueryError('4001', `QueryValidationError: Entity ${q.entity} not found`);
    return q.count ? { kind: 'count', entity: q.entity, totalCount: 0 } : { kind: 'page', entity: q.entity, startPosition: q.startPosition, records: [] };
  }
  const predicates = q.where.map((c) => compileCondition(c, 'Customer'));
  if (!predicates.some((p) => p.property.name === 'Active')) {
    predicates.push({ property: BY_NAME.get('active') as Property, test: (v) => v === true });
  }
  const order = q.orderBy.map((o) => ({ property: property(o.property, 'Customer'), descending: o.descending }));
  for (const o of order) {
    if (o.property.name === 'PrimaryEmailAddr') throw new QueryError('4001', `QueryValidationError: Property ${o.property.name} is not sortable for Entity Customer`);
  }
  const matches = (c: QboCustomerRecord) => predicates.every((p) => p.test(p.property.get(c)));

  // Candidates: an Id condition looks records up; otherwise LastUpdatedTime bounds narrow the sorted rows.
  let source: readonly QboCustomerRecord[] = store.rows;
  let lo = 0;
  let hi = source.length;
  const idCondition = q.where.find((c) => c.property.toLowerCase() === 'id' && (c.operator === '=' || c.operator === 'IN'));
  if (idCondition) {
    source = idCondition.values
      .map((v) => store.byId.get(String(v)))
      .filter((c): c is QboCustomerRecord => c !== undefined)
      .sort(compareRecords);
    hi = source.length;
  } else {
    for (const c of q.where) {
      if (c.property.toLowerCase() !== 'metadata.lastupdatedtime' || c.operator === 'IN') continue;
      const t = parseQboDateTime(String(c.values[0])) as number;
      const at = (pred: (s: number) => boolean) => firstIndex(source, (r) => pred(wireSecond(r.MetaData.LastUpdatedTime)));
      if (c.operator === '>=' || c.operator === '=') lo = Math.max(lo, at((s) => s >= t));
      if (c.operator === '>') lo = Math.max(lo, at((s) => s > t));
      if (c.operator === '<=' || c.operator === '=') hi = Math.min(hi, at((s) => s > t));
      if (c.operator === '<') hi = Math.min(hi, at((s) => s >= t));
    }
  }

  if (q.count) {
    let total = 0;
    for (let i = lo; i < hi; i++) if (matches(source[i] as QboCustomerRecord)) total++;
    return { kind: 'count', entity: 'Customer', totalCount: total };
  }

  const skip = q.startPosition - 1;
  const take = q.maxResults;
  const isNatural = (descending: boolean) =>
    order.length > 0 &&
    order.every((o) => o.descending === descending) &&
    order[0]?.property.name === 'MetaData.LastUpdatedTime' &&
    (order.length === 1 || (order.length === 2 && order[1]?.property.name === 'Id'));
  const records: QboCustomerRecord[] = [];
  if (order.length === 0 || isNatural(false) || isNatural(true)) {
    // Walk the sorted rows and stop once the page is full. Without ORDERBY the fake uses this order too (QBO does
    // not document its default order: always send ORDERBY when paging). A client paging through the same query
    // resumes where the previous page stopped, while nothing has changed, so deep pages cost no rescan.
    const descending = order.length > 0 && isNatural(true);
    const key = idCondition ? undefined : JSON.stringify([q.where, q.orderBy]);
    const cursor = key === undefined ? undefined : store.cursors.get(key);
    let skipped = 0;
    let k = 0;
    if (cursor && cursor.version === store.version && cursor.matched <= skip) {
      skipped = cursor.matched;
      k = cursor.walked;
    }
    for (; k < hi - lo && records.length < take; k++) {
      const c = source[descending ? hi - 1 - k : lo + k] as QboCustomerRecord;
      if (!matches(c)) continue;
      if (skipped < skip) skipped++;
      else records.push(c);
    }
    if (key !== undefined) {
      store.cursors.delete(key);
      store.cursors.set(key, { version: store.version, matched: skipped + records.length, walked: k });
      if (store.cursors.size > 32) store.cursors.delete(store.cursors.keys().next().value as string);
    }
  } else {
    const all: QboCustomerRecord[] = [];
    for (let i = lo; i < hi; i++) if (matches(source[i] as QboCustomerRecord)) all.push(source[i] as QboCustomerRecord);
    all.sort((a, b) => {
      for (const o of order) {
        const d = compareValues(o.property.get(a), o.property.get(b), o.property.kind);
        if (d !== 0) return o.descending ? -d : d;
      }
      return compareRecords(a, b);
    });
    records.push(...all.slice(skip, skip + take));
  }
  return { kind: 'page', entity: 'Customer', startPosition: q.startPosition, records };
}
