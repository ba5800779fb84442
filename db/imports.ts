import { and, asc, eq } from 'drizzle-orm';
import type { Sql } from 'postgres';
import { isUuid } from '../domain/inputs';
import type { Db } from './client';
import { imports, importTemplates } from './schema';

export type ImportRow = typeof imports.$inferSelect;

/** The import a workflow runs: created once, found again when the workflow's first step is retried. */
export async function createOrFindImport(db: Db, values: typeof imports.$inferInsert): Promise<ImportRow> {
  const [created] = await db.insert(imports).values(values).onConflictDoNothing({ target: imports.workflowId }).returning();
  if (created) return created;
  const [existing] = await db.select().from(imports).where(eq(imports.workflowId, values.workflowId));
  if (!existing) throw new Error(`import of workflow ${values.workflowId} vanished`);
  return existing;
}

export async function findImport(db: Db, importId: string): Promise<ImportRow | undefined> {
  const [row] = await db.select().from(imports).where(eq(imports.id, importId));
  return row;
}

export interface ImportSummary {
  id: string;
  file: string;
  status: ImportRow['status'];
  workflowId: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** Lines by outcome, from the ledger; an undo takes its lines away as it goes. */
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  /**
   * An earlier import of the same file into the business, not undone: the lines it holds were skipped by this one and
   * are in its ledger, not this one's.
   */
  importedBefore: string | null;
}

/** A business's imports, the latest first, with what each did: what an operator picks one to undo from. */
export async function listImports(sql: Sql, businessId: string, limit: number): Promise<ImportSummary[]> {
  const rows = await sql<(Omit<ImportSummary, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string | null })[]>`
    select i.id, i.file, i.status, i.workflow_id as "workflowId", i.created_at as "startedAt", i.finished_at as "finishedAt",
           coalesce(l.created, 0)::int as created, coalesce(l.updated, 0)::int as updated,
           coalesce(l.skipped, 0)::int as skipped, coalesce(l.failed, 0)::int as failed,
           -- The import that holds the file's other lines: the one that wrote them, which is not always the one that
           -- started first (two imports of a file at once), and never one that holds none.
           (select j.id from imports j
            where j.business_id = i.business_id and j.file_hash = i.file_hash and j.id <> i.id and j.status <> 'undone'
              and exists (select 1 from import_ledger o where o.import_id = j.id)
            order by j.created_at, j.id limit 1) as "importedBefore"
    from imports i
    left join lateral (
      select count(*) filter (where outcome = 'created') as created, count(*) filter (where outcome = 'updated') as updated,
             count(*) filter (where outcome = 'skipped') as skipped, count(*) filter (where outcome = 'failed') as failed
      from import_ledger where import_id = i.id
    ) l on true
    where i.business_id = ${businessId}
    order by i.created_at desc, i.id desc
    limit ${limit}`;
  // The client hands timestamps over as text (Drizzle's setting), as Postgres writes them.
  return rows.map((row) => ({ ...row, startedAt: new Date(row.startedAt), finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt) }));
}

/** A row's problem as the ledger keeps it: why it failed, or a value left out of a row imported. */
export interface ImportProblem {
  row: number;
  outcome: 'created' | 'updated' | 'skipped' | 'failed';
  column?: string;
  field?: string;
  message: string;
}

/**
 * Every problem of an import's rows, in line order: the result lists the first 50 of each kind, the ledger keeps all.
 * Notes that say why a row was skipped (no new information, a match) are not problems and are left out.
 */
export async function listImportProblems(sql: Sql, importId: string): Promise<ImportProblem[]> {
  const rows = await sql<{ row: number; outcome: ImportProblem['outcome']; column: string | null; field: string | null; message: string }[]>`
    select l.line as row, l.outcome, p->>'column' as column, p->>'field' as field, p->>'message' as message
    from import_ledger l cross join lateral jsonb_array_elements(l.problems) p
    where l.import_id = ${importId} and l.problems is not null and p->'note' is null
    order by l.line`;
  return rows.map(({ column, field, ...rest }) => ({ ...rest, ...(column !== null && { column }), ...(field !== null && { field }) }));
}

/** A template of the business, by its id or, since people remember names, by its name. */
export async function findTemplate(db: Db, businessId: string, idOrName: string) {
  const [row] = await db
    .select()
    .from(importTemplates)
    .where(and(eq(importTemplates.businessId, businessId), isUuid(idOrName) ? eq(importTemplates.id, idOrName) : eq(importTemplates.name, idOrName)));
  return row;
}

export async function listTemplates(db: Db, businessId: string): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: importTemplates.id, name: importTemplates.name })
    .from(importTemplates)
    .where(eq(importTemplates.businessId, businessId))
    .orderBy(asc(importTemplates.name));
}

export async function saveTemplate(db: Db, businessId: string, name: string, mapping: Record<string, string>): Promise<string> {
  const [row] = await db
    .insert(importTemplates)
    .values({ businessId, name, mapping })
    .onConflictDoUpdate({ target: [importTemplates.businessId, importTemplates.name], set: { mapping } })
    .returning({ id: importTemplates.id });
  if (!row) throw new Error('the template was not saved');
  return row.id;
}
