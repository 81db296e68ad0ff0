/**
 * Key agreement reused across envelopes (envelope version 2, crypto/envelope.ts).
 *
 * A version-1 envelope costs its sender an X25519 key generation and exchange, and its recipient
 * a key import and an exchange: ~0.2 ms each on this machine, which dominated a contribution
 * (three envelopes sealed, one opened per node). A sender sealing many envelopes instead keeps
 * one X25519 key pair for a while (EnvelopeSession) and, per recipient, the HKDF-Extract of the
 * exchange:
 *   session secret = HMAC-SHA256(key = sender pub || recipient pub, X25519(sender, recipient))
 * Each envelope gets its own AES-256 key,
 *   key = HMAC-SHA256(session secret, "tessera/envelope/v2\0" || context digest || nonce || 0x01)
 * (HKDF-Expand, one block), where the nonce is 16 fresh random bytes: keys never repeat, so each
 * key encrypts exactly one message and GCM's IV can be the constant 0^96 (as in HPKE, the
 * uniqueness that GCM needs is that of the (key, IV) pair). A recipient remembers the session
 * secret per sender key (SharedSecretCache), so it too does one exchange per session instead of
 * one per envelope.
 *
 * What changes: the key pair lives up to a minute (or 65,536 envelopes) in the sender's memory,
 * which already holds the plaintexts it seals; a recipient can tell that envelopes came from the
 * same session (as it can from the connection they arrive on). Each envelope stays readable by
 * its recipient only.
 */

import { createHmac, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { DecryptionError, UsageError } from '../errors.js';
import { rawPublicKey } from './keys.js';
import { randomPool } from './random-pool.js';

export const ENVELOPE_NONCE_BYTES = 16;

export interface EnvelopeSessionOptions {
  /** Envelopes sealed under one key pair at most (default 65,536). */
  readonly maxUses?: number;
  /** Age of a key pair at most, in milliseconds (default 60,000). */
  readonly maxAgeMs?: number;
}

interface SessionKey {
  readonly privateKey: KeyObject;
  readonly publicRaw: Buffer;
  readonly createdAt: number;
  uses: number;
  /** Session secrets by recipient raw key (hex). */
  readonly secrets: Map<string, Buffer>;
}

/** The sender's side: seal many envelopes with one key agreement per recipient. */
export class EnvelopeSession {
  private key: SessionKey | undefined;
  private readonly maxUses: number;
  private readonly maxAgeMs: number;

  constructor(options: EnvelopeSessionOptions = {}) {
    this.maxUses = options.maxUses ?? 65_536;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    if (!(this.maxUses >= 1) || !(this.maxAgeMs >= 1)) throw new UsageError('an envelope session needs maxUses and maxAgeMs of at least 1');
  }

  /** The session's public key and its session secret with `recipient` (an X25519 public key), for one envelope. */
  agree(recipient: KeyObject, recipientRaw: Buffer): { readonly publicRaw: Buffer; readonly secret: Buffer } {
    let key = this.key;
    if (!key || key.uses >= this.maxUses || Date.now() - key.createdAt >= this.maxAgeMs) {
      const pair = generateKeyPairSync('x25519');
      key = { privateKey: pair.privateKey, publicRaw: rawPublicKey(pair.publicKey), createdAt: Date.now(), uses: 0, secrets: new Map() };
      this.key = key;
    }
    key.uses++;
    const id = recipientRaw.toString('hex');
    let secret = key.secrets.get(id);
    if (!secret) {
      secret = sessionSecret(diffieHellman({ privateKey: key.privateKey, publicKey: recipient }), key.publicRaw, recipientRaw);
      key.secrets.set(id, secret);
    }
    return { publicRaw: key.publicRaw, secret };
  }

  /** A fresh random envelope nonce. */
  nonce(): Buffer {
    return randomPool.take(ENVELOPE_NONCE_BYTES);
  }
}

/** HKDF-Extract of an X25519 result; refuses the all-zero result of a small-order public key. */
export function sessionSecret(shared: Buffer, senderRaw: Uint8Array, recipientRaw: Uint8Array): Buffer {
  if (shared.every((b) => b === 0)) throw new DecryptionError('the envelope key exchange produced no secret (invalid public key)');
  return createHmac('sha256', Buffer.concat([senderRaw, recipientRaw])).update(shared).digest();
}

/** One envelope's AES-256 key (HKDF-Expand, one block) from the session secret. */
export function envelopeKey(secret: Buffer, contextDigest: Buffer, nonce: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(KDF_LABEL).update(contextDigest).update(nonce).update(BLOCK_ONE).digest();
}

const KDF_LABEL = Buffer.from('tessera/envelope/v2\0', 'ascii');
const BLOCK_ONE = Buffer.from([1]);

/** The recipient's side: session secrets by sender session key, bounded (oldest dropped first). */
export class SharedSecretCache {
  private readonly entries = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 4096) {}

  get(key: string): Buffer | undefined {
    return this.entries.get(key);
  }

  set(key: string, secret: Buffer): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, secret);
  }
}
