import crypto from 'node:crypto';

/** A new random secret with a readable prefix (`trk_` tokens, session ids, CSRF tokens, setup codes). */
export function randomSecret(prefix = '', bytes = 32): string {
  return prefix + crypto.randomBytes(bytes).toString('base64url');
}

/** The SHA-256 of a secret: what the database keeps instead of the secret itself. */
export function sha256(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/** Compares two strings in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
