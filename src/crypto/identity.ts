/**
 * A party's identity: a name, an Ed25519 key for signing (approvals, API requests, sender
 * authentication) and an X25519 key for receiving encrypted data (shares, results). Two keys,
 * not one converted key, so that each is used for one purpose only.
 *
 * Private key file (mode 0600, JSON):
 *   { "format": "tessera-key/v1", "name", "createdAt",
 *     "signing":    { "algorithm": "ed25519", "publicKey": SPKI b64, "privateKey": PKCS#8 b64 },
 *     "encryption": { "algorithm": "x25519",  "publicKey": SPKI b64, "privateKey": PKCS#8 b64 } }
 * Public identity file (shareable, JSON):
 *   { "format": "tessera-public-identity/v1", "name", "signingKey", "encryptionKey", "fingerprint" }
 */

import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { InvalidNameError, KeyFileError, KeyFormatError } from '../errors.js';
import { isErrnoException, writeFileAtomic } from '../io/durable-file.js';
import { decodePublicKey, encodePublicKey, keyFingerprint, publicOf, type KeyAlgorithm } from './keys.js';

export const KEY_FILE_FORMAT = 'tessera-key/v1';
export const PUBLIC_IDENTITY_FORMAT = 'tessera-public-identity/v1';

/** A party's private keys. Keep in memory only as long as needed; never log. */
export interface Identity {
  readonly name: string;
  readonly createdAt: string;
  readonly signingPrivateKey: KeyObject;
  readonly signingPublicKey: KeyObject;
  readonly encryptionPrivateKey: KeyObject;
  readonly encryptionPublicKey: KeyObject;
}

/** What others need to know about a party: keys as SPKI base64, and a fingerprint to compare by eye. */
export interface PublicIdentity {
  readonly name: string;
  readonly signingKey: string;
  readonly encryptionKey: string;
  /** 32 hex digits of SHA-256 over both public keys; for people to compare, never instead of the keys. */
  readonly fingerprint: string;
}

interface KeyPairJson {
  readonly algorithm: KeyAlgorithm;
  readonly publicKey: string;
  readonly privateKey: string;
}

interface KeyFileJson {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly name: string;
  readonly createdAt: string;
  readonly signing: KeyPairJson;
  readonly encryption: KeyPairJson;
}

const MAX_NAME_LENGTH = 100;

/**
 * Party names are shown to people and used in lookups: 1–100 characters, no control characters,
 * no leading or trailing spaces.
 */
export function checkPartyName(name: unknown, what = 'party name'): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new InvalidNameError(`${what} must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name) || name.trim() !== name) {
    throw new InvalidNameError(`${what} must not contain control characters or leading/trailing spaces`);
  }
  return name;
}

/** Creates fresh keys for a party (randomness from node:crypto). */
export function createIdentity(name: string): Identity {
  checkPartyName(name);
  const signing = generateKeyPairSync('ed25519');
  const encryption = generateKeyPairSync('x25519');
  return {
    name,
    createdAt: new Date().toISOString(),
    signingPrivateKey: signing.privateKey,
    signingPublicKey: signing.publicKey,
    encryptionPrivateKey: encryption.privateKey,
    encryptionPublicKey: encryption.publicKey,
  };
}

export function publicIdentity(identity: Identity): PublicIdentity {
  return {
    name: identity.name,
    signingKey: encodePublicKey(identity.signingPublicKey),
    encryptionKey: encodePublicKey(identity.encryptionPublicKey),
    fingerprint: identityFingerprint(identity.signingPublicKey, identity.encryptionPublicKey),
  };
}

export function identityFingerprint(signingKey: KeyObject, encryptionKey: KeyObject): string {
  return keyFingerprint('identity', [signingKey, encryptionKey]);
}

/** The private key file's JSON text. Contains secrets: write it with `saveIdentity`. */
export function serializeIdentity(identity: Identity): string {
  const pair = (algorithm: KeyAlgorithm, pub: KeyObject, priv: KeyObject): KeyPairJson => ({
    algorithm,
    publicKey: encodePublicKey(pub),
    privateKey: priv.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  });
  const file: KeyFileJson = {
    format: KEY_FILE_FORMAT,
    name: identity.name,
    createdAt: identity.createdAt,
    signing: pair('ed25519', identity.signingPublicKey, identity.signingPrivateKey),
    encryption: pair('x25519', identity.encryptionPublicKey, identity.encryptionPrivateKey),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

export function serializePublicIdentity(identity: PublicIdentity): string {
  return JSON.stringify({ format: PUBLIC_IDENTITY_FORMAT, ...identity }, null, 2) + '\n';
}

/** Parses a private key file's text; `source` names it in errors (usually its path). */
export function parseIdentity(text: string, source: string): Identity {
  const file = parseJsonObject(text, source, 'key file');
  if (file.format === PUBLIC_IDENTITY_FORMAT) {
    throw new KeyFileError(source, `${source} is a public identity file, not a private key file; pass the private key file written with it by \`tessera keys new\` (NAME.key.json next to NAME.pub.json)`);
  }
  if (file.format !== KEY_FILE_FORMAT) {
    throw new KeyFileError(source, `${source} is not a Tessera private key file (expected "format": "${KEY_FILE_FORMAT}")`);
  }
  const name = wrapKeyErrors(source, () => checkPartyName(file.name, 'the name in the key file'));
  if (typeof file.createdAt !== 'string') throw new KeyFileError(source, `${source}: "createdAt" is missing`);
  const signing = readKeyPair(file.signing, 'ed25519', 'signing', source);
  const encryption = readKeyPair(file.encryption, 'x25519', 'encryption', source);
  return {
    name,
    createdAt: file.createdAt,
    signingPrivateKey: signing.privateKey,
    signingPublicKey: signing.publicKey,
    encryptionPrivateKey: encryption.privateKey,
    encryptionPublicKey: encryption.publicKey,
  };
}

export function parsePublicIdentity(text: string, source: string): PublicIdentity {
  const file = parseJsonObject(text, source, 'public identity file');
  if (file.format !== PUBLIC_IDENTITY_FORMAT) {
    throw new KeyFileError(source, `${source} is not a Tessera public identity (expected "format": "${PUBLIC_IDENTITY_FORMAT}")`);
  }
  return wrapKeyErrors(source, () => {
    const name = checkPartyName(file.name, 'the name');
    const signingKey = decodePublicKey(file.signingKey as string, 'ed25519', '"signingKey"');
    const encryptionKey = decodePublicKey(file.encryptionKey as string, 'x25519', '"encryptionKey"');
    const fingerprint = identityFingerprint(signingKey, encryptionKey);
    if (file.fingerprint !== fingerprint) {
      throw new KeyFormatError('"fingerprint" does not match the keys (the file was edited or damaged)');
    }
    return { name, signingKey: file.signingKey as string, encryptionKey: file.encryptionKey as string, fingerprint };
  });
}

export interface SaveOptions {
  /** Replace an existing file (default: refuse, so that keys are never lost by accident). */
  readonly overwrite?: boolean;
}

/** Writes the private key file with mode 0600, atomically. */
export async function saveIdentity(identity: Identity, path: string, options: SaveOptions = {}): Promise<void> {
  await writeKeyFile(path, serializeIdentity(identity), 0o600, options);
}

/** Writes the public identity file (mode 0644: it is meant to be shared). */
export async function savePublicIdentity(identity: PublicIdentity, path: string, options: SaveOptions = {}): Promise<void> {
  await writeKeyFile(path, serializePublicIdentity(identity), 0o644, options);
}

/**
 * Loads a private key file. Refuses files that others may read (like ssh does), because a key
 * that leaked cannot be trusted afterwards.
 */
export async function loadIdentity(path: string): Promise<Identity> {
  return loadPrivateKeyFile(path, 'private key file', (text) => parseIdentity(text, path));
}

/**
 * Reads and parses a file holding a secret, then refuses it when others may read it. Parsing
 * comes first, so that a file which is not the key asked for (a public identity, a collaboration
 * file, a CSV) is named as such instead of being given `chmod 600` advice.
 */
export async function loadPrivateKeyFile<T>(path: string, what: string, parse: (text: string) => T, createWith = 'tessera keys new'): Promise<T> {
  const parsed = parse(await readKeyFile(path, what, createWith));
  if (process.platform !== 'win32') {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      throw new KeyFileError(
        path,
        `${what} ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${path}\` and consider the key exposed if others could log in`,
      );
    }
  }
  return parsed;
}

export async function loadPublicIdentity(path: string): Promise<PublicIdentity> {
  return parsePublicIdentity(await readKeyFile(path, 'public identity file'), path);
}

// ---- helpers -------------------------------------------------------------------------------

export async function writeKeyFile(path: string, text: string, mode: number, options: SaveOptions = {}): Promise<void> {
  try {
    await writeFileAtomic(path, Buffer.from(text, 'utf8'), { mode, exclusive: !options.overwrite });
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EEXIST') {
      throw new KeyFileError(path, `${path} already exists; choose another path or delete the old file first`);
    }
    throw new KeyFileError(path, `cannot write ${path}: ${describeIoError(error)}`, { cause: error });
  }
}

async function readKeyFile(path: string, what: string, createWith = 'tessera keys new'): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') {
      throw new KeyFileError(path, `no ${what} at ${path}; create one with \`${createWith}\` or check the path`);
    }
    throw new KeyFileError(path, `cannot read ${what} ${path}: ${describeIoError(error)}`, { cause: error });
  }
}

function describeIoError(error: unknown): string {
  return isErrnoException(error) ? (error.code ?? 'I/O error') : 'I/O error';
}

function parseJsonObject(text: string, source: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message may quote file content (a private key): do not pass it on.
    throw new KeyFileError(source, `${source} is not valid JSON, so it cannot be a ${what}; it may be damaged`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new KeyFileError(source, `${source} is not a ${what} (expected a JSON object)`);
  }
  return value as Record<string, unknown>;
}

function readKeyPair(
  value: unknown,
  algorithm: KeyAlgorithm,
  role: string,
  source: string,
): { publicKey: KeyObject; privateKey: KeyObject } {
  return wrapKeyErrors(source, () => {
    if (value === null || typeof value !== 'object') throw new KeyFormatError(`the "${role}" key pair is missing`);
    const pair = value as Record<string, unknown>;
    if (pair.algorithm !== algorithm) throw new KeyFormatError(`the "${role}" key must have "algorithm": "${algorithm}"`);
    const publicKey = decodePublicKey(pair.publicKey as string, algorithm, `the ${role} public key`);
    if (typeof pair.privateKey !== 'string') throw new KeyFormatError(`the ${role} private key is missing`);
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: Buffer.from(pair.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    } catch {
      throw new KeyFormatError(`the ${role} private key is not valid PKCS#8 base64`);
    }
    if (privateKey.asymmetricKeyType !== algorithm) throw new KeyFormatError(`the ${role} private key is not an ${algorithm} key`);
    // A file whose halves do not belong together was edited or damaged; using it would sign or
    // decrypt with a key nobody else knows about.
    if (!publicOf(privateKey).equals(publicKey)) {
      throw new KeyFormatError(`the ${role} private key does not match its public key`);
    }
    return { publicKey, privateKey };
  });
}

function wrapKeyErrors<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof KeyFormatError || error instanceof InvalidNameError) {
      throw new KeyFileError(source, `${source}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
