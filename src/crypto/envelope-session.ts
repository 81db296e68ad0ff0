/**
 * Key agreement reused across envelopes (envelope version 2, crypto/envelope.ts).
 *
 * A version-1 envelope costs its sender an X25519 key generation and exchange, and its recipient
 * a key import and an exchange: ~0.2 ms each on this machine, which dominated a contribution
 * (three envelopes sealed, one opened per node). A sender sealing many envelopes instead keeps
 * one X25519 key pair for a while (EnvelopeSession) and the exchange result per recipient; each
 * envelope still gets its own AES key and IV, derived from that shared secret, its context and a
 * fresh random 16-byte envelope nonce, so no (key, IV) pair is ever used twice. A recipient
 * remembers the exchange result per sender key (SharedSecretCache), so it too does one exchange
 * per session instead of one per envelope.
 *
 * What changes: the key pair lives up to a minute (or 65,536 envelopes) in the sender's memory,
 * which already holds the plaintexts it seals; a recipient can tell that envelopes came from the
 * same session (as it can from the connection they arrive on). Each envelope stays readable by
 * its recipient only.
 */

import { diffieHellman, generateKeyPairSync, randomFillSync, type KeyObject } from 'node:crypto';
import { UsageError } from '../errors.js';
import { rawPublicKey } from './keys.js';

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
  /** Exchange results by recipient raw key (hex). */
  readonly shared: Map<string, Buffer>;
}

/** The sender's side: seal many envelopes with one key agreement per recipient. */
export class EnvelopeSession {
  private key: SessionKey | undefined;
  private readonly maxUses: number;
  private readonly maxAgeMs: number;
  private pool = Buffer.alloc(0);
  private poolOffset = 0;

  constructor(options: EnvelopeSessionOptions = {}) {
    this.maxUses = options.maxUses ?? 65_536;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    if (!(this.maxUses >= 1) || !(this.maxAgeMs >= 1)) throw new UsageError('an envelope session needs maxUses and maxAgeMs of at least 1');
  }

  /** The session's public key and its shared secret with `recipient` (an X25519 public key), for one envelope. */
  agree(recipient: KeyObject, recipientRaw: Buffer): { readonly publicRaw: Buffer; readonly shared: Buffer } {
    let key = this.key;
    if (!key || key.uses >= this.maxUses || Date.now() - key.createdAt >= this.maxAgeMs) {
      const pair = generateKeyPairSync('x25519');
      key = { privateKey: pair.privateKey, publicRaw: rawPublicKey(pair.publicKey), createdAt: Date.now(), uses: 0, shared: new Map() };
      this.key = key;
    }
    key.uses++;
    const id = recipientRaw.toString('hex');
    let shared = key.shared.get(id);
    if (!shared) {
      shared = diffieHellman({ privateKey: key.privateKey, publicKey: recipient });
      key.shared.set(id, shared);
    }
    return { publicRaw: key.publicRaw, shared };
  }

  /** A fresh random envelope nonce (drawn from node:crypto in blocks: one call per 256 envelopes). */
  nonce(): Buffer {
    if (this.poolOffset + ENVELOPE_NONCE_BYTES > this.pool.byteLength) {
      this.pool = randomFillSync(Buffer.allocUnsafe(ENVELOPE_NONCE_BYTES * 256));
      this.poolOffset = 0;
    }
    // A view, not a copy: a used-up pool is replaced, never refilled, so views stay as they were.
    const out = this.pool.subarray(this.poolOffset, this.poolOffset + ENVELOPE_NONCE_BYTES);
    this.poolOffset += ENVELOPE_NONCE_BYTES;
    return out;
  }
}

/** The recipient's side: exchange results by sender session key, bounded (oldest dropped first). */
export class SharedSecretCache {
  private readonly entries = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 4096) {}

  get(key: string): Buffer | undefined {
    return this.entries.get(key);
  }

  set(key: string, shared: Buffer): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, shared);
  }
}
