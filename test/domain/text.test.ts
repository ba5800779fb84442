import { describe, expect, it } from 'vitest';
import { stripExportArtifacts } from '../../domain/text';

describe('stripExportArtifacts', () => {
  it.each([
    ['plain', 'plain'],
    ['  padded  ', 'padded'],
    ["'0412345678", '0412345678'],
    ["' 0412345678", '0412345678'],
    ["''twice", "'twice"],
    ["o'brien", "o'brien"],
    ['\u200B\u200C\u200D\u2060\uFEFFvalue', 'value'],
    ['in\u200Bside', 'inside'],
    ["\uFEFF 'value ", 'value'],
    ['', ''],
    ["'", ''],
  ])('%j → %j', (raw, expected) => {
    expect(stripExportArtifacts(raw)).toBe(expected);
  });
});
