/**
 * DSSE pre-authentication encoding (github.com/secure-systems-lab/dsse, protocol.md):
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * with LEN the decimal byte length. Every Tessera signature over structured data signs this
 * encoding, so a signature for one payload type never verifies as another.
 */
export function preAuthEncoding(payloadType: string, body: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.byteLength} `), type, Buffer.from(` ${body.byteLength} `), body]);
}
