export type IdentityKey = { kind: 'email' | 'phone'; value: string };

export type MatchCandidate = {
  id: string;
  email?: string | null;
  phones: readonly string[];
  status?: 'active' | 'archived';
};

export type ContactMatch = { contactId: string; matchedOn: IdentityKey[] };

/** Takes values that are already normalized (lower-cased email, E.164 phones). */
export function identityKeys(input: {
  email?: string | null;
  phones?: readonly (string | null | undefined)[];
}): IdentityKey[] {
  // A loop and a list search: a row has a few keys, and this runs for every row of an import.
  const keys: IdentityKey[] = [];
  if (isPresent(input.email)) keys.push({ kind: 'email', value: input.email });
  for (const value of input.phones ?? []) {
    if (isPresent(value) && !keys.some((key) => key.kind === 'phone' && key.value === value)) keys.push({ kind: 'phone', value });
  }
  return keys;
}

export function identityKeyString(key: IdentityKey): string {
  return `${key.kind}:${key.value}`;
}

/** The key an identity key string (`identityKeyString`) was made of. */
export function identityKeyOfString(name: string): IdentityKey {
  const colon = name.indexOf(':');
  const kind = name.slice(0, colon);
  if (kind !== 'email' && kind !== 'phone') throw new Error(`'${name}' is not an identity key string`);
  return { kind, value: name.slice(colon + 1) };
}

/** Candidates hold normalized values, like the keys; ties are broken so every run picks the same contact. */
export function matchContacts(keys: IdentityKey[], candidates: readonly MatchCandidate[]): ContactMatch[] {
  const ranked = candidates.flatMap((candidate) => {
    const candidateKeys = new Set(identityKeys(candidate).map(identityKeyString));
    const matchedOn = keys.filter((key) => candidateKeys.has(identityKeyString(key)));
    return matchedOn.length === 0 ? [] : [{ candidate, matchedOn }];
  });
  ranked.sort(
    (a, b) =>
      b.matchedOn.length - a.matchedOn.length ||
      Number(matchesEmail(b.matchedOn)) - Number(matchesEmail(a.matchedOn)) ||
      Number(isArchived(a.candidate)) - Number(isArchived(b.candidate)) ||
      compareIds(a.candidate.id, b.candidate.id),
  );
  return ranked.map(({ candidate, matchedOn }) => ({ contactId: candidate.id, matchedOn }));
}

export function bestMatch(keys: IdentityKey[], candidates: readonly MatchCandidate[]): ContactMatch | undefined {
  return matchContacts(keys, candidates)[0];
}

function isPresent(value: string | null | undefined): value is string {
  return value !== undefined && value !== null && value.trim() !== '';
}

function matchesEmail(matchedOn: readonly IdentityKey[]): boolean {
  return matchedOn.some((key) => key.kind === 'email');
}

function isArchived(candidate: MatchCandidate): boolean {
  return candidate.status === 'archived';
}

// Code-unit order, not localeCompare: the result must not depend on the runtime's locale data.
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
