import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeSecretKey } from './config';

const VERSION = 'v1';

/**
 * Encrypts secrets (OAuth tokens, SMTP passwords) for storage with AES-256-GCM, and derives stable pseudonyms.
 * The sealed form carries a version so that the key or algorithm can be rotated later.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** A keyed, irreversible stand-in for an identifier (e.g. a webchat session id). */
  pseudonym(value: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  const encryptionKey = createHmac('sha256', key).update('switchboard:encrypt').digest();
  const pseudonymKey = createHmac('sha256', key).update('switchboard:pseudonym').digest();
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    pseudonym(value) {
      return createHmac('sha256', pseudonymKey).update(value).digest('hex').slice(0, 24);
    },
  };
}

/** Local mode keeps a generated key in the data folder so that sealed secrets survive a restart. */
export async function loadOrCreateLocalSecretKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, 'secret.key');
  try {
    const key = decodeSecretKey(await readFile(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key; delete it to have a new one generated`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
