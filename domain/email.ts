import { stripExportArtifacts } from './text';

export type EmailResult = { ok: true; email: string; normalized: string } | { ok: false; reason: string };

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_DOMAIN_LABEL_LENGTH = 63;
// RFC 5322 "atext" plus dots, widened to any Unicode letter or digit for internationalised addresses.
const LOCAL_PART_CHARACTERS = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
// Internationalised top-level domains appear in their ASCII "xn--" form as well as in letters.
const TOP_LEVEL_DOMAIN = /^(?:\p{L}{2,}|xn--[a-z0-9-]+)$/iu;

// An address as mail programs copy it, "Jane Smith <jane@example.com>", and as a link, "mailto:jane@example.com":
// the address is the part inside.
const NAMED_ADDRESS = /^[^<>]*<([^<>]*)>$/;
const MAILTO = /^mailto:/i;

export function normalizeEmail(raw: string): EmailResult {
  const text = stripExportArtifacts(raw, { anyApostrophe: true });
  const email = (NAMED_ADDRESS.exec(text)?.[1] ?? text).trim().replace(MAILTO, '');
  const problem = findSyntaxProblem(email);
  if (problem !== undefined) return { ok: false, reason: `'${text}' is not a valid email address: ${problem}` };
  return { ok: true, email, normalized: email.toLowerCase() };
}

function findSyntaxProblem(email: string): string | undefined {
  if (email === '') return 'it is empty';
  if (email.length > MAX_ADDRESS_LENGTH) return `it is longer than ${MAX_ADDRESS_LENGTH} characters`;
  if (/\s/u.test(email)) return 'it contains spaces';
  const parts = email.split('@');
  if (parts.length === 1) return "the '@' is missing";
  if (parts.length > 2) return "it has more than one '@'";
  const [localPart = '', domain = ''] = parts;
  return findLocalPartProblem(localPart) ?? findDomainProblem(domain);
}

function findLocalPartProblem(localPart: string): string | undefined {
  if (localPart === '') return 'the part before the @ is missing';
  if (localPart.length > MAX_LOCAL_PART_LENGTH) {
    return `the part before the @ is longer than ${MAX_LOCAL_PART_LENGTH} characters`;
  }
  if (!LOCAL_PART_CHARACTERS.test(localPart)) return 'the part before the @ contains characters that are not allowed';
  if (localPart.startsWith('.') || localPart.endsWith('.')) return 'the part before the @ starts or ends with a dot';
  if (localPart.includes('..')) return 'the part before the @ has two dots in a row';
  return undefined;
}

function findDomainProblem(domain: string): string | undefined {
  if (domain === '') return 'the domain is missing';
  const labels = domain.split('.');
  if (labels.length === 1) return `the domain '${domain}' has no dot`;
  if (labels.includes('')) return `the domain '${domain}' has an empty part between dots`;
  const badLabel = labels.find((label) => label.length > MAX_DOMAIN_LABEL_LENGTH || !DOMAIN_LABEL.test(label));
  if (badLabel !== undefined) {
    return `the domain part '${badLabel}' must be up to ${MAX_DOMAIN_LABEL_LENGTH} letters, digits or inner hyphens`;
  }
  const topLevelDomain = labels[labels.length - 1] ?? '';
  if (!TOP_LEVEL_DOMAIN.test(topLevelDomain)) return `the domain ending '${topLevelDomain}' is not a top-level domain`;
  return undefined;
}
