import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../domain/email';

describe('normalizeEmail', () => {
  it.each([
    ['bob@example.com', 'bob@example.com', 'bob@example.com'],
    ['Bob.Smith@Example.COM', 'Bob.Smith@Example.COM', 'bob.smith@example.com'],
    ['  bob@example.com\t', 'bob@example.com', 'bob@example.com'],
    ['bob+invoices@example.com', 'bob+invoices@example.com', 'bob+invoices@example.com'],
    ["o'brien@example.ie", "o'brien@example.ie", "o'brien@example.ie"],
    ['first.middle.last@mail.example.co.uk', 'first.middle.last@mail.example.co.uk', 'first.middle.last@mail.example.co.uk'],
    ['a-b_c@my-host.example.org', 'a-b_c@my-host.example.org', 'a-b_c@my-host.example.org'],
    ['x@1.io', 'x@1.io', 'x@1.io'],
    ['josé@münchen.de', 'josé@münchen.de', 'josé@münchen.de'],
    // Decomposed, as macOS apps save it: the e and its diaeresis are composed into one letter.
    ['zoe\u0308.ng@exemple.fr', 'zoë.ng@exemple.fr', 'zoë.ng@exemple.fr'],
    ['Jose\u0301@mu\u0308nchen.de', 'José@münchen.de', 'josé@münchen.de'],
    ['info@example.xn--p1ai', 'info@example.xn--p1ai', 'info@example.xn--p1ai'],
    ["'bob@example.com", 'bob@example.com', 'bob@example.com'],
    ['\u200Bbob@example.com\uFEFF', 'bob@example.com', 'bob@example.com'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
    ['Bob Smith <Bob@Example.com>', 'Bob@Example.com', 'bob@example.com'],
    ['"Smith, Bob" <bob@example.com>', 'bob@example.com', 'bob@example.com'],
    ['<bob@example.com>', 'bob@example.com', 'bob@example.com'],
    ['mailto:bob@example.com', 'bob@example.com', 'bob@example.com'],
    ['MAILTO:Bob@example.com', 'Bob@example.com', 'bob@example.com'],
  ])('accepts %j', (raw, email, normalized) => {
    expect(normalizeEmail(raw)).toStrictEqual({ ok: true, email, normalized });
  });

  const tooLong = `${'a'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(58)}.com`;
  it.each([
    ['', "'' is not a valid email address: it is empty"],
    ['   ', "'' is not a valid email address: it is empty"],
    [tooLong, `'${tooLong}' is not a valid email address: it is longer than 254 characters`],
    ['bob smith@example.com', "'bob smith@example.com' is not a valid email address: it contains spaces"],
    ['Bob Smith <bob@example>', "'Bob Smith <bob@example>' is not a valid email address: the domain 'example' has no dot"],
    ['Bob Smith <>', "'Bob Smith <>' is not a valid email address: it is empty"],
    ['Bob <bob@example.com', "'Bob <bob@example.com' is not a valid email address: it contains spaces"],
    ['bob.example.com', "'bob.example.com' is not a valid email address: the '@' is missing"],
    ['bob@work@example.com', "'bob@work@example.com' is not a valid email address: it has more than one '@'"],
    ['@example.com', "'@example.com' is not a valid email address: the part before the @ is missing"],
    [
      `${'a'.repeat(65)}@example.com`,
      `'${'a'.repeat(65)}@example.com' is not a valid email address: the part before the @ is longer than 64 characters`,
    ],
    [
      'bob,smith@example.com',
      "'bob,smith@example.com' is not a valid email address: the part before the @ contains characters that are not allowed",
    ],
    ['.bob@example.com', "'.bob@example.com' is not a valid email address: the part before the @ starts or ends with a dot"],
    ['bob.@example.com', "'bob.@example.com' is not a valid email address: the part before the @ starts or ends with a dot"],
    ['bob..smith@example.com', "'bob..smith@example.com' is not a valid email address: the part before the @ has two dots in a row"],
    ['bob@', "'bob@' is not a valid email address: the domain is missing"],
    ['bob@localhost', "'bob@localhost' is not a valid email address: the domain 'localhost' has no dot"],
    ['bob@example..com', "'bob@example..com' is not a valid email address: the domain 'example..com' has an empty part between dots"],
    ['bob@.example.com', "'bob@.example.com' is not a valid email address: the domain '.example.com' has an empty part between dots"],
    ['bob@example.com.', "'bob@example.com.' is not a valid email address: the domain 'example.com.' has an empty part between dots"],
    [
      'bob@-example.com',
      "'bob@-example.com' is not a valid email address: the domain part '-example' must be up to 63 letters, digits or inner hyphens",
    ],
    [
      'bob@example-.com',
      "'bob@example-.com' is not a valid email address: the domain part 'example-' must be up to 63 letters, digits or inner hyphens",
    ],
    [
      'bob@exa_mple.com',
      "'bob@exa_mple.com' is not a valid email address: the domain part 'exa_mple' must be up to 63 letters, digits or inner hyphens",
    ],
    [
      `bob@${'d'.repeat(64)}.com`,
      `'bob@${'d'.repeat(64)}.com' is not a valid email address: the domain part '${'d'.repeat(64)}' must be up to 63 letters, digits or inner hyphens`,
    ],
    ['bob@example.c', "'bob@example.c' is not a valid email address: the domain ending 'c' is not a top-level domain"],
    ['bob@example.123', "'bob@example.123' is not a valid email address: the domain ending '123' is not a top-level domain"],
    ["'bob@", "'bob@' is not a valid email address: the domain is missing"],
  ])('rejects %j', (raw, reason) => {
    expect(normalizeEmail(raw)).toStrictEqual({ ok: false, reason });
  });

  it('allows exactly 254 characters', () => {
    const email = `${'a'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(email).toHaveLength(254);
    expect(tooLong).toHaveLength(255);
    expect(normalizeEmail(email)).toStrictEqual({ ok: true, email, normalized: email });
  });
});
