import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Secrets at rest (task secrets, secret parameter values of queued runs, notification signing keys)
// are sealed with AES-256-GCM: a fresh 12-byte IV per value, the 16-byte tag checked on opening.

const KEY_FILE = 'secret.key';
const VERSION = 'v1';

/** The 32-byte key from SECRET_KEY (64 hex digits or base64), or undefined when it is not 32 bytes. */
export function parseSecretKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b = /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : undefined;
  return b?.length === 32 ? b : undefined;
}

/**
 * SECRET_KEY when set; otherwise the key in DATA_DIR/secret.key, created once with mode 0600. Creation
 * is a link of a complete temp file, so two processes starting together end up with the same key.
 */
export function loadSecretKey(secretKey: string | undefined, dataDir: string): Buffer {
  if (secretKey !== undefined) {
    const key = parseSecretKey(secretKey);
    if (!key) throw new Error('SECRET_KEY must be 32 bytes: 64 hex digits or 44 base64 characters');
    return key;
  }
  const file = path.join(dataDir, KEY_FILE);
  const read = () => {
    const key = parseSecretKey(fs.readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key (64 hex digits)`);
    return key;
  };
  try {
    return read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return read();
}

/** Seals a value: `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export function seal(key: Buffer, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Opens a sealed value; throws when it was sealed with another key or changed. */
export function open(key: Buffer, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) throw new Error('not a sealed value');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('cannot open a sealed secret: it was sealed with another key (is SECRET_KEY the same on every machine?)');
  }
}
