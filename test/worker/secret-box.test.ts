import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSecretKey } from '../../worker/config';
import { createSecretBox, loadOrCreateLocalSecretKey } from '../../worker/secret-box';

describe('secrets at rest', () => {
  const box = createSecretBox(Buffer.alloc(32, 1));

  it('seals a token so that it does not appear in what is stored, and opens it again', () => {
    const sealed = box.seal('xero-refresh-token-abc');
    expect(sealed).not.toContain('xero-refresh-token-abc');
    expect(sealed).toMatch(/^v1:/);
    expect(box.seal('xero-refresh-token-abc')).not.toBe(sealed);
    expect(box.open(sealed)).toBe('xero-refresh-token-abc');
  });

  it('refuses a sealed secret that was tampered with or sealed with another key', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split(':');
    const tampered = [...parts.slice(0, 3), Buffer.from('other').toString('base64url')].join(':');
    expect(() => box.open(tampered)).toThrow();
    expect(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow();
  });

  it('derives stable pseudonyms that differ by key', () => {
    expect(box.pseudonym('session-1')).toBe(box.pseudonym('session-1'));
    expect(box.pseudonym('session-1')).not.toBe(box.pseudonym('session-2'));
    expect(createSecretBox(Buffer.alloc(32, 2)).pseudonym('session-1')).not.toBe(box.pseudonym('session-1'));
  });

  it('generates a local key once, readable only by its owner, and reuses it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-key-'));
    try {
      const first = await loadOrCreateLocalSecretKey(dir);
      const second = await loadOrCreateLocalSecretKey(dir);
      expect(second.equals(first)).toBe(true);
      expect(decodeSecretKey(await readFile(path.join(dir, 'secret.key'), 'utf8'))?.equals(first)).toBe(true);
      expect((await stat(path.join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
