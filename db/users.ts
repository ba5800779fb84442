import { eq } from 'drizzle-orm';
import { SwitchboardError } from '../domain/errors';
import { identityKeys as toIdentityKeys } from '../domain/identity';
import type { Db } from './client';
import { findIdentityHolder } from './contacts';
import { businesses, identityKeys, userRoles, users } from './schema';

/**
 * Adds an agent or admin to a business. Under the `unique` policy the user's email and phone are claimed in that
 * business, so that no contact can take them; a contact or user already holding one is reported, not overwritten.
 * The business is locked `for update` meanwhile: writers of contacts' keys hold it `for key share` while they check
 * them against the users' keys, so a user cannot be given a key that a contact is being given at the same time.
 */
export async function addBusinessUser(
  db: Db,
  input: { businessId: string; name: string; email: string; phoneE164?: string; role: 'admin' | 'agent' },
): Promise<string> {
  return db.transaction(async (tx) => {
    const [business] = await tx.select().from(businesses).where(eq(businesses.id, input.businessId)).for('update');
    if (!business) throw new SwitchboardError('NotFound', `businessId: no business ${input.businessId}`);
    const keys = toIdentityKeys({ email: input.email.trim().toLowerCase(), phones: [input.phoneE164] });
    if (business.identityPolicy === 'unique') {
      const held = await findIdentityHolder(tx, business.id, keys);
      if (held) throw new SwitchboardError('IdentityConflict', `${held.key.kind} ${held.key.value} already belongs to ${held.holder} of this business`);
    }
    const [user] = await tx
      .insert(users)
      .values({ name: input.name, email: input.email, phoneE164: input.phoneE164 })
      .returning({ id: users.id });
    if (!user) throw new Error('the user was not created');
    await tx.insert(userRoles).values({ userId: user.id, role: input.role, scope: 'business', businessId: business.id });
    if (business.identityPolicy === 'unique' && keys.length > 0) {
      await tx.insert(identityKeys).values(keys.map((k) => ({ businessId: business.id, kind: k.kind, value: k.value, userId: user.id })));
    }
    return user.id;
  });
}
