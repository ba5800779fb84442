import { asc, eq } from 'drizzle-orm';
import type { Db, Tx } from './client';
import { businesses } from './schema';

export type Business = typeof businesses.$inferSelect;

export async function createBusiness(
  db: Db,
  input: { name: string; defaultCountry: string; identityPolicy?: 'unique' | 'none'; organisationId?: string },
): Promise<Business> {
  const [row] = await db
    .insert(businesses)
    .values({
      name: input.name,
      defaultCountry: input.defaultCountry.toUpperCase(),
      identityPolicy: input.identityPolicy ?? 'unique',
      organisationId: input.organisationId,
    })
    .returning();
  if (!row) throw new Error('the business was not created');
  return row;
}

export async function findBusiness(db: Db | Tx, businessId: string): Promise<Business | undefined> {
  const [row] = await db.select().from(businesses).where(eq(businesses.id, businessId));
  return row;
}

export async function listBusinesses(db: Db): Promise<Business[]> {
  return db.select().from(businesses).orderBy(asc(businesses.name), asc(businesses.id));
}
