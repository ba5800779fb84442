import { and, asc, eq } from 'drizzle-orm';
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
