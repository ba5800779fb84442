import { and, eq } from 'drizzle-orm';
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

export async function findTemplate(db: Db, businessId: string, templateId: string) {
  const [row] = await db
    .select()
    .from(importTemplates)
    .where(and(eq(importTemplates.id, templateId), eq(importTemplates.businessId, businessId)));
  return row;
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
