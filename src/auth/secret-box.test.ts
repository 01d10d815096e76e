import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretKey, open, parseSecretKey, seal } from './secret-box';

const key = crypto.randomBytes(32);
const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-secret-box-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('seal and open', () => {
  it('round-trips any text, with a fresh IV each time', () => {
    for (const text of ['', 'pw', 'ünïcødé 🔑', 'x'.repeat(100_000), 'line\nbreak\0nul']) {
      const a = seal(key, text);
      const b = seal(key, text);
      expect(a).not.toBe(b);
      expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]*$/);
      expect(open(key, a)).toBe(text);
    }
  });

  it('never holds the plaintext', () => {
    expect(seal(key, 'hunter2-secret')).not.toContain('hunter2');
    expect(Buffer.from(seal(key, 'hunter2-secret').split('.')[3], 'base64url').toString('latin1')).not.toContain('hunter2');
  });

  it('refuses another key, a changed ciphertext or tag, and what is not a sealed value', () => {
    const sealed = seal(key, 'value');
    expect(() => open(crypto.randomBytes(32), sealed)).toThrow(/sealed with another key/);
    const [v, iv, tag, body] = sealed.split('.');
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0] ^= 1;
      return b.toString('base64url');
    };
    expect(() => open(key, [v, iv, tag, flip(body)].join('.'))).toThrow();
    expect(() => open(key, [v, iv, flip(tag), body].join('.'))).toThrow();
    expect(() => open(key, [v, flip(iv), tag, body].join('.'))).toThrow();
    for (const bad of ['', 'value', 'v2.a.b.c', 'v1.a.b']) expect(() => open(key, bad)).toThrow(/not a sealed value/);
  });
});

describe('keys', () => {
  it('parses 64 hex digits or 32 bytes of base64, nothing else', () => {
    const hex = key.toString('hex');
    expect(parseSecretKey(hex)).toEqual(key);
    expect(parseSecretKey(` ${hex}\n`)).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
    for (const bad of ['', 'abc', hex.slice(2), `${hex}00`, crypto.randomBytes(31).toString('base64'), 'z'.repeat(64)]) {
      expect(parseSecretKey(bad)).toBeUndefined();
    }
  });

  it('uses SECRET_KEY when set, and refuses a malformed one', () => {
    expect(loadSecretKey(key.toString('hex'), tempDir())).toEqual(key);
    expect(() => loadSecretKey('short', tempDir())).toThrow(/SECRET_KEY must be 32 bytes/);
  });

  it('creates a key in DATA_DIR once, with mode 0600, and reads the same key afterwards', () => {
    const dir = path.join(tempDir(), 'data');
    const first = loadSecretKey(undefined, dir);
    const file = path.join(dir, 'secret.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toHaveLength(32);
    expect(loadSecretKey(undefined, dir)).toEqual(first);
    expect(fs.readdirSync(dir)).toEqual(['secret.key']);
  });

  it('refuses a key file that does not hold a key rather than replacing it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'secret.key'), 'not a key\n');
    expect(() => loadSecretKey(undefined, dir)).toThrow(/does not hold a 32-byte key/);
    expect(fs.readFileSync(path.join(dir, 'secret.key'), 'utf8')).toBe('not a key\n');
  });
});
