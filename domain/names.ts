export type NameParts = { firstName: string; middleName?: string; lastName?: string };

// Written in lower case these start a family name ("van der Berg"). Capitalised, some are as often given or middle
// names (the Vietnamese middle name "Van", "Le", "Al"): only those that rarely are count ("De Niro", "Di Marco",
// "St. John"), and "Van" or "Von" before another particle ("Van Der Merwe").
const SURNAME_PARTICLES = new Set(['van', 'von', 'de', 'der', 'da', 'di', 'la', 'le', 'du', 'bin', 'al', 'ten', 'ter', "'t", '’t']);
const CAPITALISED_PARTICLES = new Set(['De', 'Da', 'Di', 'Del', 'Della', 'Dos', 'Das', 'Du', 'St', 'St.']);
const PARTICLES_AFTER_VAN = new Set(['der', 'den', 'de']);

function startsFamilyName(words: readonly string[], index: number): boolean {
  const word = words[index] as string;
  if (SURNAME_PARTICLES.has(word) || CAPITALISED_PARTICLES.has(word)) return true;
  const next = words[index + 1]?.toLowerCase();
  return (word === 'Van' || word === 'Von') && next !== undefined && PARTICLES_AFTER_VAN.has(next);
}

// A title before the names in a single name cell ("Dr Jane Smith", "Mrs. Jane Smith") is not one of them.
const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'rev']);
// Suffixes that tell a father from his son.
const GENERATIONS = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'junior', 'senior']);
// A generational suffix or degree after the family name ("John Smith Jr.") stays with it.
const SUFFIXES = new Set([...GENERATIONS, 'phd', 'md', 'esq']);

const bare = (word: string) => word.toLowerCase().replace(/[.,]$/, '');

// Two people in one entry, a couple or a household ("Jo & Sam Lee", "Mr and Mrs Lee"): their given names or titles.
const CONNECTORS = new Set(['&', 'and', '+']);

/**
 * The words of a name, those joined by "&" or "and" as one: "Jo & Sam" is what both are called by. Unless the family
 * name stands apart (`familyNameApart`, "Lee, Jo & Sam"), only with a word after them: "Smith & Jones" is no household.
 */
function nameWords(text: string, familyNameApart = false): string[] {
  const words = text === '' ? [] : text.split(' ');
  const joined: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const connector = words[i + 1];
    if (connector !== undefined && CONNECTORS.has(connector.toLowerCase()) && i + (familyNameApart ? 2 : 3) < words.length) {
      joined.push(words.slice(i, i + 3).join(' '));
      i += 2;
    } else {
      joined.push(words[i] as string);
    }
  }
  return joined;
}

/** A first-name cell without the titles before the name ("Dr Jane" is Jane); a title alone ("Dr") is kept. */
export function withoutTitles(givenNames: string): string {
  if (!givenNames.includes(' ')) return givenNames;
  const words = nameWords(givenNames.trim().replace(/\s+/g, ' '), true);
  let start = 0;
  while (words.length - start > 1 && isTitle(words[start] as string)) start++;
  return start === 0 ? givenNames : words.slice(start).join(' ');
}

/** Whether a word of a name is a title, or titles joined ("Mr & Mrs"). */
const isTitle = (word: string) => {
  const parts = word.split(' ');
  return parts.some((part) => HONORIFICS.has(bare(part))) && parts.every((part) => HONORIFICS.has(bare(part)) || CONNECTORS.has(part.toLowerCase()));
};

/** The words of a name without the titles before them and the suffixes after them, keeping at least `names`. */
function withoutTitlesAndSuffixes(words: readonly string[], names: number): { names: string[]; suffixes: string[] } {
  let start = 0;
  while (words.length - start > names && isTitle(words[start] as string)) start++;
  let end = words.length;
  while (end - start > names && SUFFIXES.has(bare(words[end - 1] as string))) end--;
  return { names: words.slice(start, end), suffixes: words.slice(end) };
}

/**
 * The given, middle and family names in one name: "Jane Mary Smith", "Smith, Jane Mary", "Jane van der Berg". A
 * title before them is left out and a suffix kept with the family name, as long as two names remain besides: alone
 * with one name ("Dr Smith") they may be all there is to call the person by. Given names or titles joined by "&" or
 * "and" ("Jo & Sam Lee", "Mr and Mrs Lee") are one first name, the household's.
 */
export function splitFullName(name: string): NameParts {
  const collapsed = name.trim().replace(/\s+/g, ' ');
  const commaIndex = collapsed.indexOf(',');
  if (commaIndex === -1) return splitGivenFirst(collapsed);

  const familyName = collapsed.slice(0, commaIndex).trim();
  // "Smith, Jane, Jr." has its suffix after a second comma.
  const givenNames = collapsed.slice(commaIndex + 1).replaceAll(',', ' ').trim().replace(/\s+/g, ' ');
  if (familyName === '' || givenNames === '') return splitGivenFirst(familyName || givenNames);
  // The family name stands apart: one given name besides is enough.
  const { names, suffixes } = withoutTitlesAndSuffixes(nameWords(givenNames, true), 1);
  const [firstName = '', ...middleNames] = names;
  return withOptionalParts(firstName, middleNames, [familyName, ...suffixes].join(' '));
}

export function hasRealName(first?: string | null, last?: string | null): boolean {
  return (first ?? '').trim() !== '' || (last ?? '').trim() !== '';
}

function splitGivenFirst(collapsed: string): NameParts {
  const { names, suffixes } = withoutTitlesAndSuffixes(nameWords(collapsed), 2);
  const [firstName = '', ...rest] = names;
  if (rest.length === 0) return { firstName };
  // A particle standing last is itself the family name, not the start of one.
  const particleIndex = rest.findIndex((_, index) => index < rest.length - 1 && startsFamilyName(rest, index));
  const lastNameStart = particleIndex === -1 ? rest.length - 1 : particleIndex;
  return withOptionalParts(firstName, rest.slice(0, lastNameStart), [...rest.slice(lastNameStart), ...suffixes].join(' '));
}

function withOptionalParts(firstName: string, middleNames: readonly string[], lastName: string): NameParts {
  return middleNames.length === 0
    ? { firstName, lastName }
    : { firstName, middleName: middleNames.join(' '), lastName };
}

// The legal forms of companies, which no person's name holds.
const LEGAL_FORMS = new Set(['pty', 'ltd', 'limited', 'llc', 'inc', 'incorporated', 'corp', 'corporation', 'gmbh', 'plc', 'llp', 'pte']);
// Words that name a business rather than a person: legal forms and the kinds of organisation a clinic deals with.
const ORGANISATION_WORDS = new Set([
  ...LEGAL_FORMS, 'co', 'company',
  'trust', 'holdings', 'group', 'partners', 'associates', 'foundation', 'association', 'society', 'council', 'department',
  'clinic', 'centre', 'center', 'practice', 'services', 'solutions', 'supplies', 'pharmacy', 'hospital', 'laboratory',
  'laboratories', 'pathology', 'radiology', 'medical', 'dental', 'physio', 'physiotherapy', 'university', 'school',
]);

/**
 * Whether a display name (Xero's contact name, a customer list's "Name") is an organisation's rather than a person's:
 * a legal form or kind of organisation among its words, a leading "The", or a digit, "&", "+" or "@" in it.
 */
export function looksLikeOrganisation(name: string): boolean {
  if (/[\d&+@]|\bp\/l\b/i.test(name)) return true;
  const words = wordsOfName(name);
  return words[0] === 'the' || words.some((word) => ORGANISATION_WORDS.has(word));
}

/**
 * Whether a name is a company's by its legal form ("Pty Ltd", "Inc", "GmbH", "P/L"): the test for a column meant for
 * people's names, where "Jo & Sam Lee" or "Harbour Dental" may still be a person's entry.
 */
export function hasLegalForm(name: string): boolean {
  return /\bp\/l\b/i.test(name) || wordsOfName(name).some((word) => LEGAL_FORMS.has(word));
}

const wordsOfName = (name: string) => name.toLowerCase().split(/[\s,.()/]+/).filter((word) => word !== '');

// Given names and their usual short forms, beyond those that begin the name they stand for ("Dan", "Alex"). A short
// form of names of both sexes ("Chris", "Pat") is in the group of each, which keeps the full names apart.
const SHORT_FORMS: readonly (readonly string[])[] = [
  ['robert', 'bob', 'bobby', 'rob', 'robbie', 'bert'],
  ['roberta', 'bobbie', 'robbie', 'bertie'],
  ['william', 'bill', 'billy', 'will', 'liam'],
  ['richard', 'dick', 'rick', 'ricky', 'rich'],
  ['margaret', 'peggy', 'maggie', 'meg', 'marge', 'margie', 'greta'],
  ['elizabeth', 'liz', 'lizzie', 'beth', 'betty', 'eliza', 'libby', 'bess', 'elise'],
  ['james', 'jim', 'jimmy', 'jamie'],
  ['john', 'jack', 'johnny', 'jon'],
  ['michael', 'mike', 'mick', 'micky', 'mickey'],
  ['edward', 'ted', 'teddy', 'ned', 'eddie'],
  ['charles', 'charlie', 'chuck', 'chas'],
  ['catherine', 'katherine', 'kathryn', 'kate', 'katie', 'kath', 'kathy', 'cathy', 'cath', 'kat', 'cate', 'cat'],
  ['anthony', 'tony'],
  ['joseph', 'joe', 'joey'],
  ['alexander', 'alex', 'xander', 'sandy'],
  ['alexandra', 'alex', 'lexi', 'sandy'],
  ['christopher', 'chris', 'kit'],
  ['christine', 'christina', 'chris', 'tina'],
  ['patrick', 'pat', 'paddy'],
  ['patricia', 'pat', 'patty', 'trish', 'tricia'],
  ['susan', 'suzanne', 'sue', 'susie', 'suzie'],
  ['jennifer', 'jen', 'jenny', 'jenna'],
  ['rebecca', 'becky', 'becca'],
  ['stephen', 'steven', 'steve', 'stevie'],
  ['henry', 'harry', 'hank'],
  ['harold', 'harry'],
  ['francis', 'frank', 'fran'],
  ['frances', 'fran', 'frankie'],
  ['lawrence', 'laurence', 'larry', 'laurie'],
  ['victoria', 'vicky', 'vic', 'tori'],
  ['dorothy', 'dot', 'dottie'],
  ['andrew', 'andy', 'drew'],
  ['deborah', 'debra', 'deb', 'debbie'],
  ['penelope', 'penny'],
  ['abigail', 'abby', 'abbie'],
  ['thomas', 'tom', 'tommy'],
  ['nicholas', 'nick', 'nicky'],
  ['nicola', 'nicky', 'nikki'],
  ['david', 'dave', 'davy'],
  ['sarah', 'sara', 'sally', 'sadie'],
  ['mary', 'molly', 'polly', 'mae'],
  ['nathan', 'nathaniel', 'nate'],
  ['madeleine', 'madeline', 'madison', 'maddy', 'maddie'],
  ['daniel', 'dan', 'danny'],
  ['danielle', 'dani'],
  ['samuel', 'sam', 'sammy'],
  ['samantha', 'sam', 'sammy'],
  ['peter', 'pete'],
  ['stephanie', 'steph', 'steff', 'stevie'],
  ['kathleen', 'kathy', 'kath', 'kate'],
  ['jacob', 'jake', 'jakey'],
  ['amanda', 'mandy', 'manda'],
  ['isabella', 'isabel', 'isabelle', 'izzy', 'issy', 'bella'],
  ['oliver', 'ollie', 'olly'],
  ['frederick', 'fred', 'freddie', 'freddy'],
  ['muhammad', 'mohammed', 'mohammad', 'mohamed', 'muhammed', 'mohd'],
  ['benjamin', 'ben', 'benny', 'benji'],
  ['gregory', 'greg'],
  ['timothy', 'tim', 'timmy'],
  ['matthew', 'matt', 'matty'],
  ['jonathan', 'jon', 'jonny', 'johnny'],
  ['joshua', 'josh'],
  ['zachary', 'zach', 'zack', 'zac'],
  ['emily', 'em', 'emmy'],
  ['jessica', 'jess', 'jessie'],
  ['natalie', 'nat', 'nattie'],
  ['eleanor', 'ellie', 'nell', 'nora'],
  // One name spelt two ways ("Phillip", "Philip"): a letter apart or sounding alike, which no start or short form joins.
  ['ann', 'anne', 'annie'],
  ['philip', 'phillip', 'phil', 'pip'],
  ['jeffrey', 'jeffery', 'geoffrey', 'geoff', 'jeff'],
  ['matthew', 'mathew'],
  ['elizabeth', 'elisabeth'],
  ['alan', 'allan', 'allen', 'al'],
  ['brian', 'bryan'],
  ['stuart', 'stewart', 'stu'],
  ['sean', 'shaun', 'shawn'],
  ['claire', 'clare'],
  ['rachel', 'rachael'],
  ['michelle', 'michele'],
  ['teresa', 'theresa', 'tess', 'terri'],
  ['hayley', 'haley', 'hailey'],
  ['caitlin', 'kaitlyn', 'katelyn'],
  ['nicole', 'nichole', 'nikki'],
  ['megan', 'meghan', 'meg'],
  ['carl', 'karl'],
  ['eric', 'erik'],
  ['mark', 'marc'],
  ['zoe', 'zoey'],
];
const shortFormGroups = new Map<string, number[]>();
SHORT_FORMS.forEach((names, group) => {
  for (const name of names) shortFormGroups.set(name, [...(shortFormGroups.get(name) ?? []), group]);
});

/** The first given name, bare: "Dr Jane" (a title typed in a first name cell) is "jane", "José" is "jose". */
const givenNameKey = (name: string) => {
  const words = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[\s.]+/)
    .map((word) => word.replace(/[^\p{L}]/gu, ''))
    .filter((word) => word !== '');
  return words.find((word) => !HONORIFICS.has(word)) ?? words[0] ?? '';
};

/**
 * Whether two first names may be one person's: the same, an initial or a short start of the other ("J" and "Jane",
 * "Dan" and "Daniel", "Alex" and "Alexandra"), or a usual short form ("Bob" and "Robert"). A missing name may be
 * anyone's. A longer start is another name more often than not: Paul and Paula, Louis and Louise, Daniel and
 * Danielle. Two people who share a home phone or an email are told apart by this.
 */
export function mayBeSameGivenName(a: string, b: string): boolean {
  // Most rows that share a key are one person written alike: answered without taking the names apart.
  if (a === b) return true;
  const [x, y] = [givenNameKey(a), givenNameKey(b)];
  if (x === '' || y === '' || x === y) return true;
  const [shorter, longer] = x.length < y.length ? [x, y] : [y, x];
  // An initial is any name that starts with it; a longer start only a name two or more letters longer.
  if (longer.startsWith(shorter) && (shorter.length === 1 || (shorter.length <= 4 && longer.length - shorter.length >= 2))) return true;
  const groups = shortFormGroups.get(x);
  return groups?.some((group) => shortFormGroups.get(y)?.includes(group)) ?? false;
}

/**
 * Whether two family names may be one person's: the same (letter case, accents and punctuation aside), or one a part
 * of the other ("Smith" and "Smith-Jones"). A missing name may be anyone's.
 */
export function mayBeSameFamilyName(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [familyNameParts(a), familyNameParts(b)];
  if (x.length === 0 || y.length === 0 || x.join('') === y.join('')) return true;
  // "Smith" and "Smith Jr." are a father and his son.
  const generation = (name: string[]) => name.filter((part) => GENERATIONS.has(part)).join(' ');
  if (generation(x) !== generation(y)) return false;
  const [shorter, longer] = x.length <= y.length ? [x, y] : [y, x];
  return shorter.every((part) => longer.includes(part));
}

/** A family name's words, bare: "Smith-Jones" is smith and jones, "Núñez" nunez. */
function familyNameParts(name: string): string[] {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((part) => part !== '');
}

/** "Chris" of "Christopher", "Bob" of "Robert", "J." of "Jane": a first name the same person goes by, shorter. */
export function isShorterGivenName(given: string, name: string): boolean {
  return given.trim().length < name.trim().length && mayBeSameGivenName(given, name);
}

/** "Smith" of "Smith-Jones": fewer of the same words. */
export function isPartOfFamilyName(given: string, name: string): boolean {
  const [x, y] = [familyNameParts(given), familyNameParts(name)];
  return x.length > 0 && x.length < y.length && x.every((part) => y.includes(part));
}

/** "Jose" of "José", "Nunez" of "Núñez": the same letters with the accents left out, as a system without them writes it. */
export function isUnaccentedOf(given: string | undefined, name: string | null): boolean {
  if (given === undefined || name === null || given === name) return false;
  return name.normalize('NFD').replace(/\p{M}/gu, '') === given;
}

/**
 * "JANE" or "jane" of "Jane": the same name in capitals or small letters only, as a system that shouts or one typed in
 * haste writes it, where the name had both.
 */
export function isPlainerCaseOf(given: string | undefined, name: string | null): boolean {
  if (given === undefined || name === null || given === name || given.toLowerCase() !== name.toLowerCase()) return false;
  const oneCase = (text: string) => text === text.toUpperCase() || text === text.toLowerCase();
  return oneCase(given) && !oneCase(name);
}

/** "J." or "J" of "Jane": one letter, the name's first. */
export function isInitialOf(given: string | undefined, name: string | null): boolean {
  const initial = /^\s*(\p{L})\.?\s*$/u.exec(given ?? '')?.[1];
  return initial !== undefined && name !== null && name.trim().length > 1 && name.trim().toLowerCase().startsWith(initial.toLowerCase());
}

/**
 * Whether two people's names may be one person's: their first names may be, and their family names too; or the
 * two names the other way round ("Wei Wang" and "Wang Wei": a family name written first).
 */
export function mayBeSamePerson(a: { firstName: string; lastName: string }, b: { firstName: string; lastName: string }): boolean {
  if (mayBeSameGivenName(a.firstName, b.firstName) && mayBeSameFamilyName(a.lastName, b.lastName)) return true;
  const bare = (name: string) => name.trim().toLowerCase();
  return bare(a.firstName) !== '' && bare(a.firstName) === bare(b.lastName) && bare(a.lastName) === bare(b.firstName);
}
