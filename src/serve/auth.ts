/**
 * The one key pair `serve` accepts. REST calls carry it in the APCA-API-KEY-ID and
 * APCA-API-SECRET-KEY headers, the streams in their auth frames. Comparison is constant-time on
 * SHA-256 digests (no length leak). The secret is never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { InputError } from '../core/errors.ts';

export interface KeyPair {
  keyId: string;
  secret: string;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class KeyCheck {
  private readonly keyDigest: Buffer;
  private readonly secretDigest: Buffer;
  readonly keyId: string;

  constructor(pair: KeyPair) {
    this.keyId = pair.keyId;
    this.keyDigest = digest(pair.keyId);
    this.secretDigest = digest(pair.secret);
  }

  /** Both halves must match; both are compared whatever the first gives (no timing hint). */
  matches(keyId: unknown, secret: unknown): boolean {
    if (typeof keyId !== 'string' || typeof secret !== 'string') return false;
    const keyOk = timingSafeEqual(digest(keyId), this.keyDigest);
    const secretOk = timingSafeEqual(digest(secret), this.secretDigest);
    return keyOk && secretOk;
  }
}

/**
 * The configured pair: flags first, then APCA_API_KEY_ID / APCA_API_SECRET_KEY. Both halves are
 * required; a half-given pair is bad input.
 */
export function resolveKeyPair(flags: { keyId?: string; secret?: string }, env: NodeJS.ProcessEnv = process.env): KeyPair {
  const keyId = flags.keyId || env.APCA_API_KEY_ID || '';
  const secret = flags.secret || env.APCA_API_SECRET_KEY || '';
  if (!keyId || !secret) {
    throw new InputError(
      `serve needs the key pair clients must present: --key-id and --secret, or APCA_API_KEY_ID and APCA_API_SECRET_KEY (missing: ${[!keyId && 'key id', !secret && 'secret'].filter(Boolean).join(' and ')})`,
    );
  }
  return { keyId, secret };
}
