/**
 * Envelopes: encryption of one payload to one recipient's X25519 public key, bound to a context,
 * optionally signed by the sender. Used for a client's shares to each node and for result shares
 * to the output party.
 *
 * Construction (like HPKE base/auth mode, with node:crypto primitives):
 *   shared  = X25519(ephemeral private, recipient public)           fresh ephemeral key each time
 *   key||iv = HKDF-SHA256(ikm = shared, salt = ephemeral pub || recipient pub,
 *                         info = "tessera/envelope/v1\0" || context digest, 44 bytes)
 *   body    = AES-256-GCM(key, iv, payload, aad = header)           one pass over the payload
 * The key is unique per envelope (fresh ephemeral key), so the derived IV never repeats under it.
 *
 * Binary format, version 1 (integers big-endian):
 *   off  len  field
 *     0    4  magic "TSEV"
 *     4    1  version = 1
 *     5    1  flags: bit 0 = signed; other bits must be 0
 *     6    2  reserved, must be 0
 *     8    8  payload length in bytes (uint64)
 *    16   32  ephemeral X25519 public key (raw)
 *    48    8  recipient key id = SHA-256(recipient raw X25519 public key)[0..8)
 *    56   32  context digest = SHA-256("tessera/envelope-context/v1\0" || RFC 8785 JSON of the context)
 *    88   32  signer Ed25519 public key (raw)                        only when signed
 *     H    n  ciphertext (H = 88, or 120 when signed; n = payload length)
 *   H+n   16  GCM tag
 *  H+n+16 64  Ed25519 signature over "tessera/envelope-signature/v1\0" || SHA-256(all bytes before it)
 *                                                                    only when signed
 * Version 2 (crypto/envelope-session.ts) is the same with a 16-byte random envelope nonce at
 * offset 88 (the signer key, when present, follows at 104) and the sender key at offset 16
 * reused by a session for many envelopes; every envelope still has its own key, derived from
 * the session secret, the context digest and the nonce (see there), and IV 0^96.
 * The whole header is the GCM associated data, so the context, recipient, length, flags and signer
 * cannot be changed, and a signature cannot be stripped or replaced, without failing the tag.
 * The context is not stored, only its digest: the recipient states the context it expects, and an
 * envelope replayed into another context (another table, node or purpose) is refused.
 */

import {
  createCipheriv,
  createDecipheriv,
  createHash,
  diffieHellman,
  generateKeyPairSync,
  createHmac,
  sign,
  verify,
  type Hash,
  type KeyObject,
} from 'node:crypto';
import { DecryptionError, FormatError, SignatureError, UsageError } from '../errors.js';
import { publicKeyFromRaw, publicOf, rawPublicKey, samePublicKey } from './keys.js';
import { canonicalFlatJson } from './canonical-json.js';
import { sha256 } from './sha256.js';
import { ENVELOPE_NONCE_BYTES, envelopeKey, sessionSecret, type EnvelopeSession, type SharedSecretCache } from './envelope-session.js';

/**
 * What an envelope is for. `purpose` is required; other fields (table id, node index, run id...)
 * narrow it. Contexts are public labels: never put a secret in one.
 */
export interface EnvelopeContext {
  readonly purpose: string;
  readonly [field: string]: string | number | boolean;
}

export interface SealOptions {
  /** Sign the envelope with this Ed25519 private key, so the recipient can tell who sent it. */
  readonly sender?: KeyObject;
  /** Seal a version-2 envelope under this session's key agreement instead of a fresh one. */
  readonly session?: EnvelopeSession;
}

export interface OpenOptions {
  /** Require a signature by exactly this Ed25519 key; unsigned envelopes are then refused. */
  readonly expectedSender?: KeyObject;
  /** Remember key agreements of version-2 envelopes here (one cache per recipient key). */
  readonly sharedSecrets?: SharedSecretCache;
}

export interface OpenedEnvelope {
  readonly payload: Uint8Array;
  /**
   * The key that signed the envelope (signature verified), if it was signed. It proves who sent
   * it only once the caller checks this key against a trusted list (or uses `expectedSender`).
   */
  readonly signer?: KeyObject;
}

const MAGIC = Buffer.from('TSEV', 'ascii');
const VERSION = 1;
const VERSION_SESSION = 2;
const FLAG_SIGNED = 0x01;
const BASE_HEADER_BYTES = 88;
const SIGNER_BYTES = 32;
const TAG_BYTES = 16;
const SIGNATURE_BYTES = 64;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const RECIPIENT_ID_BYTES = 8;
/** Payload is processed in slices so that output goes straight into one preallocated buffer. */
const CHUNK_BYTES = 1 << 20;

const CONTEXT_LABEL = 'tessera/envelope-context/v1\0';
const KDF_LABEL = Buffer.from('tessera/envelope/v1\0', 'ascii');
/** Version 2: each key encrypts one message (envelope-session.ts). */
const ZERO_IV = Buffer.alloc(IV_BYTES);
const SIGNATURE_LABEL = 'tessera/envelope-signature/v1\0';

/** Encrypts `payload` to `recipient` (an X25519 public key) for `context`. */
export function sealEnvelope(
  payload: Uint8Array,
  recipient: KeyObject,
  context: EnvelopeContext,
  options: SealOptions = {},
): Uint8Array {
  if (recipient.type !== 'public' || recipient.asymmetricKeyType !== 'x25519') {
    throw new UsageError('the envelope recipient must be an X25519 public key');
  }
  const sender = options.sender;
  if (sender && (sender.type !== 'private' || sender.asymmetricKeyType !== 'ed25519')) {
    throw new UsageError('the envelope sender must be an Ed25519 private key');
  }
  const { raw: recipientRaw, id: recipientId } = recipientOf(recipient);
  const contextDigest = digestContext(context);
  const session = options.session;
  let senderRaw: Buffer;
  let key: Buffer;
  let iv: Buffer;
  let nonce: Buffer | undefined;
  if (session) {
    const agreed = session.agree(recipient, recipientRaw);
    senderRaw = agreed.publicRaw;
    nonce = session.nonce();
    key = envelopeKey(agreed.secret, contextDigest, nonce);
    iv = ZERO_IV;
  } else {
    const ephemeral = generateKeyPairSync('x25519');
    senderRaw = rawPublicKey(ephemeral.publicKey);
    ({ key, iv } = deriveKeys(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }), senderRaw, recipientRaw, contextDigest));
  }

  const signerOffset = BASE_HEADER_BYTES + (nonce ? ENVELOPE_NONCE_BYTES : 0);
  const headerBytes = signerOffset + (sender ? SIGNER_BYTES : 0);
  const total = headerBytes + payload.byteLength + TAG_BYTES + (sender ? SIGNATURE_BYTES : 0);
  const out = Buffer.allocUnsafe(total);
  MAGIC.copy(out, 0);
  out[4] = nonce ? VERSION_SESSION : VERSION;
  out[5] = sender ? FLAG_SIGNED : 0;
  out.writeUInt16BE(0, 6);
  out.writeBigUInt64BE(BigInt(payload.byteLength), 8);
  senderRaw.copy(out, 16);
  recipientId.copy(out, 48);
  contextDigest.copy(out, 56);
  nonce?.copy(out, BASE_HEADER_BYTES);
  if (sender) rawPublicKey(publicOf(sender)).copy(out, signerOffset);
  const header = out.subarray(0, headerBytes);

  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(header);
  const hash = sender ? createHash('sha256').update(header) : undefined;
  let offset = headerBytes;
  for (let start = 0; start < payload.byteLength; start += CHUNK_BYTES) {
    const piece = cipher.update(payload.subarray(start, Math.min(start + CHUNK_BYTES, payload.byteLength)));
    offset = place(out, piece, offset, hash);
  }
  offset = place(out, cipher.final(), offset, hash);
  offset = place(out, cipher.getAuthTag(), offset, hash);
  if (sender && hash) {
    signDigest(hash, sender).copy(out, offset);
    offset += SIGNATURE_BYTES;
  }
  if (offset !== total) throw new Error('envelope length mismatch (bug)');
  return out;
}

/**
 * Decrypts an envelope with the recipient's X25519 private key, for the context the caller
 * expects. Any change to any byte, another recipient, another context or a bad signature throws
 * (DecryptionError, SignatureError or FormatError); no plaintext is ever returned then.
 */
export function openEnvelope(
  envelope: Uint8Array,
  recipient: KeyObject,
  context: EnvelopeContext,
  options: OpenOptions = {},
): OpenedEnvelope {
  if (recipient.type !== 'private' || recipient.asymmetricKeyType !== 'x25519') {
    throw new UsageError('openEnvelope needs the recipient X25519 private key');
  }
  const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const layout = parseLayout(bytes);
  const header = bytes.subarray(0, layout.headerBytes);
  const ephemeralRaw = bytes.subarray(16, 48);
  const { raw: recipientRaw, id: recipientId } = recipientOf(recipient);

  if (!recipientId.equals(bytes.subarray(48, 56))) {
    throw new DecryptionError('this envelope was sealed for another recipient key; check that the right key file is used');
  }
  const contextDigest = digestContext(context);
  if (!contextDigest.equals(bytes.subarray(56, 88))) {
    throw new DecryptionError(
      `this envelope was sealed for a different context than the expected one (purpose '${context.purpose}'); ` +
        'it may have been replayed from another table, node or purpose',
    );
  }

  let signer: KeyObject | undefined;
  if (layout.signed) {
    signer = publicKeyFromRaw(bytes.subarray(layout.signerOffset, layout.signerOffset + SIGNER_BYTES), 'ed25519', 'envelope signer key');
    const signedPart = bytes.subarray(0, layout.signatureOffset);
    const signature = bytes.subarray(layout.signatureOffset, layout.signatureOffset + SIGNATURE_BYTES);
    const digest = createHash('sha256');
    for (let start = 0; start < signedPart.byteLength; start += CHUNK_BYTES) {
      digest.update(signedPart.subarray(start, Math.min(start + CHUNK_BYTES, signedPart.byteLength)));
    }
    if (!verify(null, signatureMessage(digest), signer, signature)) {
      throw new SignatureError('the envelope signature does not verify: the envelope was changed after it was signed');
    }
  }
  if (options.expectedSender) {
    if (!signer) throw new SignatureError('this envelope is not signed, but a signature by a known sender is required');
    if (!samePublicKey(signer, options.expectedSender)) {
      throw new SignatureError('this envelope was signed by another key than the expected sender');
    }
  }

  const { key, iv } = layout.session
    ? { key: envelopeKey(recipientSessionSecret(recipient, ephemeralRaw, recipientRaw, options.sharedSecrets), contextDigest, bytes.subarray(BASE_HEADER_BYTES, BASE_HEADER_BYTES + ENVELOPE_NONCE_BYTES)), iv: ZERO_IV }
    : deriveKeys(exchange(recipient, ephemeralRaw), ephemeralRaw, recipientRaw, contextDigest);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(header);
  decipher.setAuthTag(bytes.subarray(layout.tagOffset, layout.tagOffset + TAG_BYTES));
  const ciphertext = bytes.subarray(layout.headerBytes, layout.tagOffset);
  const payload = Buffer.allocUnsafe(ciphertext.byteLength);
  let offset = 0;
  for (let start = 0; start < ciphertext.byteLength; start += CHUNK_BYTES) {
    offset = place(payload, decipher.update(ciphertext.subarray(start, Math.min(start + CHUNK_BYTES, ciphertext.byteLength))), offset);
  }
  try {
    offset = place(payload, decipher.final(), offset);
  } catch {
    payload.fill(0); // unauthenticated plaintext must not linger in memory either
    throw new DecryptionError('the envelope failed its integrity check: it was changed, truncated, or is not for this key');
  }
  return signer ? { payload, signer } : { payload };
}

/** Length of the envelope for a payload of `payloadBytes` (for sizing uploads); `session`: version 2. */
export function envelopeSize(payloadBytes: number, signed: boolean, session = false): number {
  return BASE_HEADER_BYTES + (session ? ENVELOPE_NONCE_BYTES : 0) + (signed ? SIGNER_BYTES + SIGNATURE_BYTES : 0) + payloadBytes + TAG_BYTES;
}

/** The canonical digest that binds an envelope to its context (exported for tests and docs). */
export function digestContext(context: EnvelopeContext): Buffer {
  if (typeof context.purpose !== 'string' || context.purpose.length === 0) {
    throw new UsageError('an envelope context needs a non-empty "purpose"');
  }
  return sha256(CONTEXT_LABEL + canonicalFlatJson(context));
}

// ---- helpers -------------------------------------------------------------------------------

interface Layout {
  readonly signed: boolean;
  /** Version 2: a session key and an envelope nonce. */
  readonly session: boolean;
  readonly signerOffset: number;
  readonly headerBytes: number;
  readonly tagOffset: number;
  readonly signatureOffset: number;
}

function parseLayout(bytes: Buffer): Layout {
  if (bytes.byteLength < BASE_HEADER_BYTES + TAG_BYTES || !bytes.subarray(0, 4).equals(MAGIC)) {
    throw new FormatError('not a Tessera envelope (bad magic or too short)');
  }
  if (bytes[4] !== VERSION && bytes[4] !== VERSION_SESSION) throw new FormatError(`unsupported envelope version ${bytes[4]} (this build reads versions ${VERSION} and ${VERSION_SESSION})`);
  const session = bytes[4] === VERSION_SESSION;
  const flags = bytes[5];
  if ((flags & ~FLAG_SIGNED) !== 0 || bytes.readUInt16BE(6) !== 0) throw new FormatError('envelope header has unknown flags set');
  const signed = (flags & FLAG_SIGNED) !== 0;
  const signerOffset = BASE_HEADER_BYTES + (session ? ENVELOPE_NONCE_BYTES : 0);
  if (bytes.byteLength < signerOffset + TAG_BYTES) throw new FormatError('not a Tessera envelope (too short)');
  const headerBytes = signerOffset + (signed ? SIGNER_BYTES : 0);
  const payloadBytes = bytes.readBigUInt64BE(8);
  const expected = BigInt(headerBytes + TAG_BYTES + (signed ? SIGNATURE_BYTES : 0)) + payloadBytes;
  if (expected !== BigInt(bytes.byteLength)) {
    throw new DecryptionError('the envelope length does not match its header: it was truncated or extended');
  }
  const tagOffset = headerBytes + Number(payloadBytes);
  return { signed, session, signerOffset, headerBytes, tagOffset, signatureOffset: tagOffset + TAG_BYTES };
}

/** The recipient's X25519 exchange with an envelope's sender key. */
function exchange(recipient: KeyObject, senderRaw: Buffer): Buffer {
  try {
    return diffieHellman({ privateKey: recipient, publicKey: publicKeyFromRaw(senderRaw, 'x25519', 'ephemeral key') });
  } catch {
    throw new DecryptionError('the envelope ephemeral key is invalid: the envelope was damaged or forged');
  }
}

/** The session secret of a version-2 envelope, remembered in `cache` when given. */
function recipientSessionSecret(recipient: KeyObject, senderRaw: Buffer, recipientRaw: Buffer, cache: SharedSecretCache | undefined): Buffer {
  const id = cache ? `${recipientRaw.toString('base64')}${senderRaw.toString('base64')}` : '';
  const known = cache?.get(id);
  if (known) return known;
  const secret = sessionSecret(exchange(recipient, senderRaw), senderRaw, recipientRaw);
  cache?.set(id, secret);
  return secret;
}

function deriveKeys(shared: Buffer, ephemeralRaw: Uint8Array, recipientRaw: Uint8Array, contextDigest: Buffer): { key: Buffer; iv: Buffer } {
  // X25519 with a small-order point yields all zeros; such an exchange has no secret in it.
  if (shared.every((b) => b === 0)) throw new DecryptionError('the envelope key exchange produced no secret (invalid public key)');
  const salt = Buffer.concat([ephemeralRaw, recipientRaw]);
  const info = Buffer.concat([KDF_LABEL, contextDigest]);
  const okm = hkdfSha256(shared, salt, info, KEY_BYTES + IV_BYTES);
  return { key: okm.subarray(0, KEY_BYTES), iv: okm.subarray(KEY_BYTES) };
}

// A recipient's raw key and key id, computed once per KeyObject (a node opens an envelope per contribution).
const recipients = new WeakMap<KeyObject, { readonly raw: Buffer; readonly id: Buffer }>();

function recipientOf(key: KeyObject): { readonly raw: Buffer; readonly id: Buffer } {
  let r = recipients.get(key);
  if (!r) {
    const raw = rawPublicKey(publicOf(key));
    r = { raw, id: recipientKeyId(raw) };
    recipients.set(key, r);
  }
  return r;
}

function recipientKeyId(recipientRaw: Uint8Array): Buffer {
  return createHash('sha256').update(recipientRaw).digest().subarray(0, RECIPIENT_ID_BYTES);
}

/**
 * Ed25519 over a SHA-256 pre-hash: PureEdDSA would read a 100 MB message twice (with SHA-512,
 * ~480 MB/s here); SHA-256 runs at ~1.2 GB/s with the CPU's SHA extensions and is computed in the
 * same pass as the encryption.
 */
function signatureMessage(hash: Hash): Buffer {
  return Buffer.concat([Buffer.from(SIGNATURE_LABEL, 'ascii'), hash.digest()]);
}

function signDigest(hash: Hash, sender: KeyObject): Buffer {
  return sign(null, signatureMessage(hash), sender);
}

function place(out: Buffer, piece: Buffer, offset: number, hash?: Hash): number {
  piece.copy(out, offset);
  hash?.update(piece);
  return offset + piece.byteLength;
}

/**
 * HKDF-SHA256 (RFC 5869) for outputs of at most 64 bytes: extract, then two expand blocks with
 * HMAC. The same bytes as node's hkdfSync, which costs ~35 us per call here against ~5 us for two
 * HMACs, and a node opens an envelope per contribution.
 */
function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  if (length > 64) throw new Error('hkdfSha256: at most 64 bytes (bug)');
  const prk = createHmac('sha256', salt).update(ikm).digest();
  const t1 = createHmac('sha256', prk).update(info).update(Buffer.from([1])).digest();
  if (length <= 32) return t1.subarray(0, length);
  const t2 = createHmac('sha256', prk).update(t1).update(info).update(Buffer.from([2])).digest();
  return Buffer.concat([t1, t2]).subarray(0, length);
}
