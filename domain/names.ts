export type NameParts = { firstName: string; middleName?: string; lastName?: string };

// Written in lower case these start a family name ("van der Berg"); capitalised they are often
// given or middle names (the Vietnamese middle name "Van"), so only the lower-case form counts.
const SURNAME_PARTICLES = new Set(['van', 'von', 'de', 'der', 'da', 'di', 'la', 'le', 'du', 'bin', 'al']);

export function splitFullName(name: string): NameParts {
  const collapsed = name.trim().replace(/\s+/g, ' ');
  const commaIndex = collapsed.indexOf(',');
  if (commaIndex === -1) return splitGivenFirst(collapsed);

  const familyName = collapsed.slice(0, commaIndex).trim();
  const givenNames = collapsed.slice(commaIndex + 1).trim();
  if (familyName === '' || givenNames === '') return splitGivenFirst(familyName || givenNames);
  const [firstName = '', ...middleNames] = givenNames.split(' ');
  return withOptionalParts(firstName, middleNames, familyName);
}

export function hasRealName(first?: string | null, last?: string | null): boolean {
  return (first ?? '').trim() !== '' || (last ?? '').trim() !== '';
}

function splitGivenFirst(collapsed: string): NameParts {
  const [firstName = '', ...rest] = collapsed === '' ? [] : collapsed.split(' ');
  if (rest.length === 0) return { firstName };
  // A particle standing last is itself the family name, not the start of one.
  const particleIndex = rest.findIndex((word, index) => SURNAME_PARTICLES.has(word) && index < rest.length - 1);
  const lastNameStart = particleIndex === -1 ? rest.length - 1 : particleIndex;
  return withOptionalParts(firstName, rest.slice(0, lastNameStart), rest.slice(lastNameStart).join(' '));
}

function withOptionalParts(firstName: string, middleNames: readonly string[], lastName: string): NameParts {
  return middleNames.length === 0
    ? { firstName, lastName }
    : { firstName, middleName: middleNames.join(' '), lastName };
}
