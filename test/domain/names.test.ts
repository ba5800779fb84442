import { describe, expect, it } from 'vitest';
import { hasLegalForm, hasRealName, looksLikeOrganisation, mayBeSameFamilyName, mayBeSameGivenName, mayBeSamePerson, type NameParts, splitFullName, withoutTitles } from '../../domain/names';

describe('splitFullName', () => {
  it.each<[string, NameParts]>([
    ['', { firstName: '' }],
    ['   ', { firstName: '' }],
    ['Jane', { firstName: 'Jane' }],
    ['  Jane  ', { firstName: 'Jane' }],
    ['Jane Smith', { firstName: 'Jane', lastName: 'Smith' }],
    ['Jane \t Smith', { firstName: 'Jane', lastName: 'Smith' }],
    ['Jane Mary Smith', { firstName: 'Jane', middleName: 'Mary', lastName: 'Smith' }],
    ['Jane Mary Ann Smith', { firstName: 'Jane', middleName: 'Mary Ann', lastName: 'Smith' }],
    ['Mary-Jane Smith-Jones', { firstName: 'Mary-Jane', lastName: 'Smith-Jones' }],
    ['Jane van der Berg', { firstName: 'Jane', lastName: 'van der Berg' }],
    ['Jane Mary van der Berg', { firstName: 'Jane', middleName: 'Mary', lastName: 'van der Berg' }],
    ['Ludwig von Mises', { firstName: 'Ludwig', lastName: 'von Mises' }],
    ['Juan de la Cruz', { firstName: 'Juan', lastName: 'de la Cruz' }],
    ['Leonardo da Vinci', { firstName: 'Leonardo', lastName: 'da Vinci' }],
    ['Anna di Stefano', { firstName: 'Anna', lastName: 'di Stefano' }],
    ['Marie le Pen', { firstName: 'Marie', lastName: 'le Pen' }],
    ['Jean du Pont', { firstName: 'Jean', lastName: 'du Pont' }],
    ['Ahmad bin Ali', { firstName: 'Ahmad', lastName: 'bin Ali' }],
    ['Omar al Rashid', { firstName: 'Omar', lastName: 'al Rashid' }],
    ["Kate 't Hooft", { firstName: 'Kate', lastName: "'t Hooft" }],
    ['Joost ten Brink', { firstName: 'Joost', lastName: 'ten Brink' }],
    // Capitalised, some are as likely to be given names (Vietnamese "Van") as particles; others rarely are.
    ['An Van Nguyen', { firstName: 'An', middleName: 'Van', lastName: 'Nguyen' }],
    ['Thi Le Tran', { firstName: 'Thi', middleName: 'Le', lastName: 'Tran' }],
    ['Jane De Luca', { firstName: 'Jane', lastName: 'De Luca' }],
    ['Robert De Niro', { firstName: 'Robert', lastName: 'De Niro' }],
    ['Anna Maria Di Marco', { firstName: 'Anna', middleName: 'Maria', lastName: 'Di Marco' }],
    ['Mary St. John', { firstName: 'Mary', lastName: 'St. John' }],
    ['Pieter Van Der Merwe', { firstName: 'Pieter', lastName: 'Van Der Merwe' }],
    ['Jane De', { firstName: 'Jane', lastName: 'De' }],
    ['Jane le', { firstName: 'Jane', lastName: 'le' }],
    ['van Morrison', { firstName: 'van', lastName: 'Morrison' }],
    ['Smith, Jane', { firstName: 'Jane', lastName: 'Smith' }],
    ['Smith,Jane', { firstName: 'Jane', lastName: 'Smith' }],
    ['  Smith ,  Jane Mary ', { firstName: 'Jane', middleName: 'Mary', lastName: 'Smith' }],
    ['van der Berg, Jane', { firstName: 'Jane', lastName: 'van der Berg' }],
    ['Smith,', { firstName: 'Smith' }],
    [', Jane', { firstName: 'Jane' }],
    [',', { firstName: '' }],
    // Titles before the names are left out; suffixes stay with the family name; both only with two names besides.
    ['Dr Jane Smith', { firstName: 'Jane', lastName: 'Smith' }],
    ['Mrs. Jane Mary Smith', { firstName: 'Jane', middleName: 'Mary', lastName: 'Smith' }],
    ['MR JOHN SMITH', { firstName: 'JOHN', lastName: 'SMITH' }],
    ['Prof Dr Jane Smith', { firstName: 'Jane', lastName: 'Smith' }],
    ['John Smith Jr.', { firstName: 'John', lastName: 'Smith Jr.' }],
    ['Mr John Smith III', { firstName: 'John', lastName: 'Smith III' }],
    ['Jane van der Berg PhD', { firstName: 'Jane', lastName: 'van der Berg PhD' }],
    ['Dr Smith', { firstName: 'Dr', lastName: 'Smith' }],
    ['Miss Jane', { firstName: 'Miss', lastName: 'Jane' }],
    ['Smith, Dr Jane', { firstName: 'Jane', lastName: 'Smith' }],
    ['Smith, Jane, Jr.', { firstName: 'Jane', lastName: 'Smith Jr.' }],
    ['Smith, Dr', { firstName: 'Dr', lastName: 'Smith' }],
    ['Drew Smith', { firstName: 'Drew', lastName: 'Smith' }],
    // Two people of one household: their given names, or titles, joined are the first name.
    ['Jo & Sam Lee', { firstName: 'Jo & Sam', lastName: 'Lee' }],
    ['John and Mary Anne Smith', { firstName: 'John and Mary', middleName: 'Anne', lastName: 'Smith' }],
    ['Mr & Mrs Lee', { firstName: 'Mr & Mrs', lastName: 'Lee' }],
    ['Mr and Mrs John Lee', { firstName: 'John', lastName: 'Lee' }],
    ['Dr Jo + Sam van der Berg', { firstName: 'Jo + Sam', lastName: 'van der Berg' }],
    ['Lee, Jo & Sam', { firstName: 'Jo & Sam', lastName: 'Lee' }],
    // Joined only with a family name after them: no household, but a firm or a pair.
    ['Smith & Sons', { firstName: 'Smith', middleName: '&', lastName: 'Sons' }],
    ['Tom and Jerry', { firstName: 'Tom', middleName: 'and', lastName: 'Jerry' }],
    ['Jo &', { firstName: 'Jo', lastName: '&' }],
    ['and Sam Lee', { firstName: 'and', middleName: 'Sam', lastName: 'Lee' }],
    ['Andy Anderson', { firstName: 'Andy', lastName: 'Anderson' }],
  ])('%j', (name, expected) => {
    expect(splitFullName(name)).toStrictEqual(expected);
  });
});

describe('withoutTitles', () => {
  it.each<[string, string]>([
    ['Jane', 'Jane'],
    ['Dr Jane', 'Jane'],
    ['Dr. Jane Mary', 'Jane Mary'],
    ['Prof  Dr Jane', 'Jane'],
    ['Mr & Mrs Jo', 'Jo'],
    ['Dr', 'Dr'],
    ['Mr & Mrs', 'Mr & Mrs'],
    ['Mr and', 'and'],
    ['and Jo', 'and Jo'],
    ['Drew', 'Drew'],
    ['Jo & Sam', 'Jo & Sam'],
    ['Mary Ann', 'Mary Ann'],
  ])('%j → %j', (given, expected) => {
    expect(withoutTitles(given)).toBe(expected);
  });
});

describe('hasRealName', () => {
  it.each<[string | null | undefined, string | null | undefined, boolean]>([
    ['Jane', 'Smith', true],
    ['Jane', undefined, true],
    [null, 'Smith', true],
    ['', 'Smith', true],
    [undefined, undefined, false],
    [null, null, false],
    ['', '', false],
    ['  ', '\t', false],
  ])('(%j, %j) → %s', (first, last, expected) => {
    expect(hasRealName(first, last)).toBe(expected);
  });
});

describe('looksLikeOrganisation', () => {
  it.each<[string, boolean]>([
    ['Jane Citizen', false],
    ['Jane van der Berg', false],
    ["Liam O'Brien-Smith", false],
    ['Dr Jane Citizen', false],
    ['Theo Park', false],
    ['Acme Supplies Pty Ltd', true],
    ['Acme Pty. Ltd.', true],
    ['Acme P/L', true],
    ['Smith & Sons', true],
    ['Bondi Medical Centre', true],
    ['Harbour Dental', true],
    ['The Physio Room', true],
    ['Widgets Inc', true],
    ['Müller GmbH', true],
    ['7-Eleven', true],
    ['info@acme.example', true],
  ])('%j → %s', (name, expected) => {
    expect(looksLikeOrganisation(name)).toBe(expected);
  });
});

describe('hasLegalForm', () => {
  it.each<[string, boolean]>([
    ['Acme Supplies Pty Ltd', true],
    ['Acme Pty. Ltd.', true],
    ['Acme P/L', true],
    ['Widgets, Inc.', true],
    ['Müller GmbH', true],
    ['Harbour Holdings LLC', true],
    ['Jane Citizen', false],
    ['Jo & Sam Lee', false],
    ['Harbour Dental', false],
    ['Linc Ltdson', false],
  ])('%j → %s', (name, expected) => {
    expect(hasLegalForm(name)).toBe(expected);
  });
});

describe('mayBeSameGivenName', () => {
  it.each<[string, string, boolean]>([
    ['Ava', 'Ava', true],
    ['ava', 'AVA', true],
    ['José', 'Jose', true],
    ['Tom', 'Thomas', true],
    ['Dan', 'Daniel', true],
    ['J.', 'Jane', true],
    ['Mary Ann', 'Mary', true],
    ['Bob', 'Robert', true],
    ['Kate', 'Catherine', true],
    ['Jenny', 'Jennifer', true],
    ['Peggy', 'Margaret', true],
    ['', 'Leo', true],
    ['Ava', 'Leo', false],
    ['Mark', 'Mary', false],
    ['Bob', 'William', false],
    ['Liam', 'Leo', false],
    // A name a letter or so longer is another person's, often of the other sex.
    ['Paul', 'Paula', false],
    ['Louis', 'Louise', false],
    ['Daniel', 'Danielle', false],
    ['Christopher', 'Christine', false],
    ['Patrick', 'Patricia', false],
    ['Samuel', 'Samantha', false],
    ['Alexander', 'Alexandra', false],
    // One name spelt two ways, unlike Paul and Paula.
    ['Ann', 'Anne', true],
    ['Phillip', 'Philip', true],
    ['Jeffrey', 'Geoff', true],
    ['Geoffrey', 'Jeff', true],
    ['Shaun', 'Sean', true],
    ['Stewart', 'Stu', true],
    ['Anne', 'Anna', false],
    ['Mark', 'Marcus', false],
    // A short form of both is either one's.
    ['Chris', 'Christine', true],
    ['Sam', 'Samantha', true],
    ['Alex', 'Alexandra', true],
    ['Pat', 'Patrick', true],
    ['J.', 'Jo', true],
    ['E', 'Ed', true],
    ['Pete', 'Peter', true],
    ['Steph', 'Stephanie', true],
    ['Jake', 'Jacob', true],
    ['Mohammed', 'Muhammad', true],
    ['Dr Jane', 'Jane', true],
  ])('%j and %j: %s', (a, b, same) => {
    expect(mayBeSameGivenName(a, b)).toBe(same);
    expect(mayBeSameGivenName(b, a)).toBe(same);
  });
});

describe('mayBeSameFamilyName', () => {
  it.each<[string, string, boolean]>([
    ['Smith', 'SMITH', true],
    ['Núñez', 'Nunez', true],
    ["O'Brien", 'OBrien', true],
    ['Smith', 'Smith-Jones', true],
    ['Berg', 'van der Berg', true],
    ['', 'Brown', true],
    ['Smith', 'Brown', false],
    ['Smith-Jones', 'Jones-Brown', false],
    ['Smith', 'Smith Jr.', false],
    ['Smith Jr', 'Smith Sr', false],
    ['Smith Jr.', 'SMITH JR', true],
  ])('%j and %j: %s', (a, b, same) => {
    expect(mayBeSameFamilyName(a, b)).toBe(same);
    expect(mayBeSameFamilyName(b, a)).toBe(same);
  });
});

describe('mayBeSamePerson', () => {
  it.each<[string, string, string, string, boolean]>([
    ['Jane', 'Smith', 'J.', 'Smith', true],
    ['Wei', 'Wang', 'Wang', 'Wei', true],
    ['Jane', 'Smith', 'Jane', 'Brown', false],
    ['John', 'Smith', 'John', 'Smith Jr.', false],
  ])('%s %s and %s %s: %s', (firstA, lastA, firstB, lastB, same) => {
    expect(mayBeSamePerson({ firstName: firstA, lastName: lastA }, { firstName: firstB, lastName: lastB })).toBe(same);
  });
});
