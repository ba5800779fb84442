// Spreadsheet exports prefix cells with an apostrophe so they are not read as formulas, and copy-paste
// from web pages and Word documents carries invisible zero-width characters and byte-order marks.
const INVISIBLE_CHARACTERS = /[\u200B-\u200D\u2060\uFEFF]/g;

export function stripExportArtifacts(raw: string): string {
  const visible = raw.replace(INVISIBLE_CHARACTERS, '').trim();
  return visible.startsWith("'") ? visible.slice(1).trim() : visible;
}
