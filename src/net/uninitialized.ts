/** A fresh, exactly-sized, 8-aligned buffer that skips the zero-fill (for bytes that are all overwritten before being read). */
export function uninitialized(bytes: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(bytes);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
