import { SwitchboardError } from '../domain/errors';
import { identityKeys as toIdentityKeys } from '../domain/identity';
import type { Db } from './client';
import { findBusiness } from './businesses';
import { identityKeys, userRoles, users } from './schema';

/**
 * Adds an agent or admin to a business. Under the `unique` policy the user's email and phone are claimed in that
 * business, so that no contact can take them; a contact already holding one is reported, not overwritten.
 */
export async function addBusinessUser(
  db: Db,
  input: { businessId: string; name: string; email: string; phoneE164?: string; role: 'admin' | 'agent' },
): Promise<string> {
  return db.transaction(async (tx) => {
    const business = await findBusiness(tx, input.businessId);
    if (!business) throw new SwitchboardError('NotFound', `businessId: no business ${input.businessId}`);
    const [user] = await tx
      .insert(users)
      .values({ name: input.name, email: input.email, phoneE164: input.phoneE164 })
      .returning({ id: users.id });
    if (!user) throw new Error('the user was not created');
    await tx.insert(userRoles).values({ userId: user.id, role: input.role, scope: 'business', businessId: business.id });
    if (business.identityPolicy === 'unique') {
      const keys = toIdentityKeys({ email: input.email.trim().toLowerCase(), phones: [input.phoneE164] });
      const claimed = await tx
        .insert(identityKeys)
        .values(keys.map((k) => ({ businessId: business.id, kind: k.kind, value: k.value, userId: user.id })))
        .onConflictDoNothing()
        .returning({ value: identityKeys.value });
      const taken = keys.find((k) => !claimed.some((c) => c.value === k.value));
      if (taken) {
        throw new SwitchboardError('IdentityConflict', `${taken.kind} ${taken.value} already belongs to a contact or user of this business`);
      }
    }
    return user.id;
  });
}
