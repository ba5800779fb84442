import { heartbeat } from '@temporalio/activity';
import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type postgres from 'postgres';
import { inspectCsv, readCsvRecords, resolveCsvPath } from '../connectors/csv/reader';
import { createCsvWriter } from '../connectors/csv/writer';
import type { Db } from '../db/client';
import { findBusiness } from '../db/businesses';
import { createOrFindImport, findImport, findTemplate, saveTemplate } from '../db/imports';
import { SwitchboardError } from '../domain/errors';
import { applyMapping, autoMapColumns, type ColumnMapping } from '../domain/import/mapping';
import { planChunk, type ChunkPlan, type OnMatch, type ValidRow } from '../domain/import/plan';
import { buildContact, type ContactUpdate, type RowProblem } from '../domain/import/rows';
import type { ImportContactsCsvInput } from '../domain/inputs';
import { loadStoredContacts, writeContacts } from '../db/contact-bulk';

export interface ImportCounts {
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface RowError {
  row: number;
  column?: string;
  field?: string;
  message: string;
}

export interface PreparedImport {
  importId: string;
  sizeBytes: number;
  mapping: ColumnMapping[];
}

/** Where the next chunk starts: a byte position and the file line there. Absent: at the header. */
export interface FilePosition {
  offset: number;
  line: number;
}

export interface ImportState {
  prepared: PreparedImport;
  position?: FilePosition;
  counts: ImportCounts;
  errors: RowError[];
}

export interface ChunkResult {
  next?: FilePosition;
  done: boolean;
  counts: ImportCounts;
  errors: RowError[];
}

/** What a chunk needs of its import, kept with the import so that it stays out of the workflow's history. */
interface ImportOptions {
  source: string;
  sourceIsCopy: boolean;
  originalFile: string;
  encoding: string;
  delimiter: string;
  headers: string[];
  onMatch: OnMatch;
  defaultCountry: string;
  uniqueIdentity: boolean;
}

export interface ImportActivityDeps {
  db: Db;
  sql: postgres.Sql;
  /** Where a worker keeps UTF-8 copies of files in other encodings while it imports them. */
  workDir: string;
}

const invalid = (message: string) => new SwitchboardError('InvalidInput', message);

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  let sinceHeartbeat = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    sinceHeartbeat += (chunk as Buffer).length;
    if (sinceHeartbeat > 64 * 1024 * 1024) {
      heartbeat();
      sinceHeartbeat = 0;
    }
  }
  return hash.digest('hex');
}

/** Byte positions only mean something in UTF-8; a file in another encoding is read from a UTF-8 copy. */
async function utf8Copy(original: string, encoding: string, copy: string): Promise<void> {
  await mkdir(path.dirname(copy), { recursive: true });
  await pipeline(createReadStream(original), iconv.decodeStream(encoding), iconv.encodeStream('utf-8'), createWriteStream(copy));
}

function requireUsableMapping(mapping: ColumnMapping[]): void {
  const fields = new Set(mapping.map((m) => m.field));
  const columns = mapping.map((m) => `"${m.header}"`).join(', ');
  if (!(fields.has('fullName') || (fields.has('firstName') && fields.has('lastName')))) {
    throw invalid(`mapping: no column holds the contact's name (firstName and lastName, or fullName); the file's columns are ${columns}`);
  }
  const reachable = ['email', 'phone', 'mobilePhone', 'homePhone', 'workPhone', 'fax'].some((f) => fields.has(f as ColumnMapping['field']));
  if (!reachable) throw invalid(`mapping: no column holds an email or a phone number; the file's columns are ${columns}`);
}

function rowError(line: number, problem: RowProblem): RowError {
  return {
    row: line,
    ...(problem.column !== undefined && { column: problem.column }),
    ...(problem.field !== undefined && { field: problem.field }),
    message: `row ${line}: ${problem.message}`,
  };
}

function countOf(outcomes: readonly { outcome: keyof ImportCounts }[]): ImportCounts {
  const counts: ImportCounts = { created: 0, updated: 0, skipped: 0, failed: 0 };
  for (const { outcome } of outcomes) counts[outcome] += 1;
  return counts;
}

/** What an update replaced, plus what it added, so that undo can take exactly that back. */
function undoRecord(update: ContactUpdate) {
  return {
    ...update.previous,
    addedPhones: update.changes.addPhones.map((p) => p.e164),
    addedTags: update.changes.addTags,
  };
}

export function createImportActivities({ db, sql, workDir }: ImportActivityDeps) {
  async function loadImport(importId: string) {
    const row = await findImport(db, importId);
    if (!row) throw new SwitchboardError('NotFound', `importId: no import ${importId}`);
    return { row, options: row.options as unknown as ImportOptions, mapping: row.mapping as ColumnMapping[] };
  }

  return {
    async prepareImport(input: ImportContactsCsvInput & { workflowId: string }): Promise<PreparedImport> {
      const business = await findBusiness(db, input.businessId);
      if (!business) throw new SwitchboardError('NotFound', `businessId: no business ${input.businessId}`);
      if (input.onMatch === 'create' && business.identityPolicy !== 'none') {
        throw invalid(
          `onMatch: 'create' makes duplicates, which only a business whose identity policy is 'none' allows; this one's is '${business.identityPolicy}'`,
        );
      }
      let file: string;
      try {
        file = path.resolve(resolveCsvPath(input.file));
        await access(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw invalid(`file: ${code === 'ENOENT' ? `no file '${input.file}' where the worker runs` : code === 'EACCES' ? `the worker may not read '${input.file}'` : (error as Error).message}`);
      }
      const inspection = await inspectCsv(file).catch((error: unknown) => {
        throw invalid(`file: ${(error as Error).message}`);
      });

      let explicit: Record<string, string> = {};
      if (input.templateId) {
        const template = await findTemplate(db, business.id, input.templateId);
        if (!template) throw new SwitchboardError('NotFound', `templateId: no mapping template ${input.templateId} in business ${business.id}`);
        explicit = { ...template.mapping };
      }
      explicit = { ...explicit, ...input.mapping };
      let mapping = autoMapColumns(inspection.headers, inspection.sample);
      if (Object.keys(explicit).length > 0) {
        const applied = applyMapping(mapping, explicit);
        if (!applied.ok) throw invalid(`mapping: ${applied.errors.join('; ')}`);
        mapping = applied.mapping;
      }
      requireUsableMapping(mapping);

      const fileHash = await sha256(file);
      const isUtf8 = /^utf-?8$/i.test(inspection.encoding);
      const importRow = await createOrFindImport(db, {
        businessId: business.id,
        file,
        fileHash,
        fileSize: inspection.sizeBytes,
        workflowId: input.workflowId,
        mapping,
        options: {},
      });
      const options: ImportOptions = {
        source: isUtf8 ? file : path.join(workDir, 'imports', `${importRow.id}.csv`),
        sourceIsCopy: !isUtf8,
        originalFile: file,
        encoding: inspection.encoding,
        delimiter: inspection.delimiter,
        headers: inspection.headers,
        onMatch: input.onMatch,
        defaultCountry: input.defaultCountry ?? business.defaultCountry,
        uniqueIdentity: business.identityPolicy === 'unique',
      };
      await sql`update imports set options = ${JSON.stringify(options)}::jsonb, mapping = ${JSON.stringify(mapping)}::jsonb where id = ${importRow.id}`;
      if (options.sourceIsCopy) await utf8Copy(file, inspection.encoding, options.source);
      if (input.saveTemplateAs) {
        await saveTemplate(db, business.id, input.saveTemplateAs, Object.fromEntries(mapping.map((m) => [m.header, m.field])));
      }
      return { importId: importRow.id, sizeBytes: inspection.sizeBytes, mapping };
    },

    /**
     * One chunk of the file, in one transaction with its ledger rows: a retry after a commit finds the ledger and
     * answers the same counts; a retry after a crash redoes the chunk from its first line.
     */
    async importChunk(input: { importId: string; position?: FilePosition; maxRecords: number; dryRun: boolean }): Promise<ChunkResult> {
      const { row: importRow, options, mapping } = await loadImport(input.importId);
      if (options.sourceIsCopy && !existsSync(options.source)) await utf8Copy(options.originalFile, options.encoding, options.source);

      const records: { line: number; cells: string[] }[] = [];
      let next: FilePosition | undefined;
      let done = true;
      for await (const record of readCsvRecords(options.source, {
        encoding: 'utf-8',
        delimiter: options.delimiter,
        ...(input.position && { resume: input.position }),
      })) {
        if (records.length === input.maxRecords) {
          done = false;
          break;
        }
        records.push({ line: record.line, cells: record.cells });
        next = { offset: record.endOffset, line: record.nextLine };
        if (records.length % 500 === 0) heartbeat(next);
      }

      const lines = records.map((r) => r.line);
      const ledger = lines.length === 0
        ? []
        : await sql<{ line: number; import_id: string; outcome: keyof ImportCounts; problems: RowProblem[] | null }[]>`
            select line, import_id, outcome, problems from import_ledger
            where business_id = ${importRow.businessId} and file_hash = ${importRow.fileHash} and line = any(${lines}::int[])`;
      const mine = ledger.filter((l) => l.import_id === importRow.id);
      if (!input.dryRun && mine.length > 0 && mine.length === records.length) {
        // This chunk committed before: answer as it did.
        const errors = mine.filter((l) => l.outcome === 'failed').flatMap((l) => (l.problems ?? []).map((p) => rowError(l.line, p)));
        return { next, done, counts: countOf(mine), errors };
      }
      const earlier = new Map(ledger.filter((l) => l.import_id !== importRow.id).map((l) => [l.line, l.import_id]));

      const valid: ValidRow[] = [];
      const failed: { line: number; cells: string[]; problems: RowProblem[] }[] = [];
      const alreadyImported: number[] = [];
      for (const record of records) {
        if (earlier.has(record.line)) {
          alreadyImported.push(record.line);
          continue;
        }
        const outcome = buildContact(record.cells, mapping, { defaultCountry: options.defaultCountry });
        if (outcome.ok) valid.push({ line: record.line, contact: outcome.contact, warnings: outcome.warnings });
        else failed.push({ line: record.line, cells: record.cells, problems: outcome.problems });
      }

      heartbeat(next);
      const result = await sql.begin(async (tx) => {
        const stored = await loadStoredContacts(tx, importRow.businessId, valid.map((r) => r.contact));
        const plan: ChunkPlan = planChunk(valid, stored, { onMatch: options.onMatch, uniqueIdentity: options.uniqueIdentity });
        if (input.dryRun) return plan;
        const ids = await writeContacts(tx, importRow.businessId, plan, { uniqueIdentity: options.uniqueIdentity, source: `import:${importRow.id}` });
        const undoByLine = new Map<number, ReturnType<typeof undoRecord>>();
        for (const update of plan.updates) {
          const firstLine = plan.rows.find((r) => r.contact === update.contactId && r.outcome === 'updated')?.line;
          if (firstLine !== undefined) undoByLine.set(firstLine, undoRecord(update.update));
        }
        const ledgerRows = [
          ...plan.rows.map((r) => ({
            line: r.line,
            outcome: r.outcome,
            contact_id: ids.get(r.contact) ?? r.contact,
            previous: undoByLine.get(r.line) ?? null,
            problems: r.warnings.length > 0 ? r.warnings : null,
            cells: null,
          })),
          ...failed.map((f) => ({ line: f.line, outcome: 'failed', contact_id: null, previous: null, problems: f.problems, cells: f.cells })),
        ];
        if (ledgerRows.length > 0) {
          await tx`
            insert into import_ledger (business_id, file_hash, line, import_id, outcome, contact_id, previous, problems, cells)
            select ${importRow.businessId}, ${importRow.fileHash}, x.line, ${importRow.id}, x.outcome::import_row_outcome, x.contact_id, x.previous, x.problems, x.cells
            from jsonb_to_recordset(${JSON.stringify(ledgerRows)}::jsonb) as x(line int, outcome text, contact_id uuid, previous jsonb, problems jsonb, cells jsonb)`;
        }
        return plan;
      });

      const counts = countOf([...result.rows, ...failed.map(() => ({ outcome: 'failed' as const }))]);
      counts.skipped += alreadyImported.length;
      const errors = [
        ...failed.flatMap((f) => f.problems.map((p) => rowError(f.line, p))),
        ...alreadyImported.slice(0, 1).map((line) => ({
          row: line,
          message: `row ${line}: this file was imported into the business before (import ${earlier.get(line)}); its rows are skipped`,
        })),
      ].sort((a, b) => a.row - b.row);
      return { next, done, counts, errors };
    },

    async finishImport(input: { importId: string; status: 'completed' | 'cancelled'; dryRun: boolean; errorReport?: string }): Promise<{ errorReport?: string }> {
      const { row: importRow, options } = await loadImport(input.importId);
      let errorReport: string | undefined;
      if (!input.dryRun) {
        const [counted] = await sql<{ failed: number }[]>`
          select count(*)::int as failed from import_ledger where import_id = ${importRow.id} and outcome = 'failed'`;
        if ((counted?.failed ?? 0) > 0) errorReport = await writeErrorReport(importRow.id, options, input.errorReport);
      }
      // A dry run leaves nothing behind but the template it may have saved.
      await (input.dryRun
        ? sql`delete from imports where id = ${importRow.id}`
        : sql`update imports set status = ${input.status}, finished_at = now(), error_report = ${errorReport ?? null} where id = ${importRow.id}`);
      if (options.sourceIsCopy) await rm(options.source, { force: true });
      return errorReport ? { errorReport } : {};
    },
  };

  /** The failed rows as they were in the file, each with its problems in a last column, in line order. */
  async function writeErrorReport(importId: string, options: ImportOptions, requested?: string): Promise<string> {
    const parsed = path.parse(options.originalFile);
    const besideFile = path.join(parsed.dir, `${parsed.name}.errors.csv`);
    const target = requested ? path.resolve(requested) : besideFile;
    const fallback = path.join(workDir, 'imports', `${importId}.errors.csv`);
    const columns = [...options.headers, 'Line', 'Error'];
    let file = target;
    let writer;
    try {
      await access(path.dirname(target));
      writer = createCsvWriter(target, columns);
    } catch {
      await mkdir(path.dirname(fallback), { recursive: true });
      file = fallback;
      writer = createCsvWriter(fallback, columns);
    }
    const cursor = sql<{ line: number; cells: string[]; problems: RowProblem[] }[]>`
      select line, cells, problems from import_ledger where import_id = ${importId} and outcome = 'failed' order by line`.cursor(1000);
    for await (const rows of cursor) {
      for (const row of rows) {
        const cells = options.headers.map((_, i) => row.cells[i] ?? '');
        await writer.write([...cells, String(row.line), row.problems.map((p) => p.message).join('; ')]);
      }
      heartbeat();
    }
    await writer.close();
    return file;
  }
}
