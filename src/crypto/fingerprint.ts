/**
 * Certificate fingerprints as used for pinning: SHA-256 of the DER certificate, written
 * `AA:BB:...` (the form node's TLS reports as `fingerprint256`). Kept apart from certs.ts so
 * that the TLS mesh does not load the certificate-building library in every node process.
 */

import { X509Certificate } from 'node:crypto';
import { UsageError } from '../errors.js';

/** The SHA-256 fingerprint of a PEM certificate, as `AA:BB:...`. */
export function certificateFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/**
 * Canonical form of a fingerprint given as hex with or without colons, in either case, so that
 * configuration files may use any common spelling. Throws on anything that is not 32 bytes of hex.
 */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new UsageError(`"${fingerprint}" is not a SHA-256 fingerprint (64 hex digits, colons optional)`);
  return hex.match(/../g)!.join(':');
}
