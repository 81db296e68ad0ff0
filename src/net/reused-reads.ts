/**
 * Reads of a socket into one reused buffer (node's `onread` socket option) instead of a fresh
 * Buffer per read.
 *
 * Without it, node's TLS socket hands every decrypted record (at most 16 KiB) to JavaScript as a
 * newly allocated Buffer pushed through the readable-stream machinery: 512 allocations, 'data'
 * events and garbage buffers per 8 MiB share vector, although the link copies each byte into the
 * message buffer at once anyway. With `onread`, node decrypts into the one buffer given here and
 * calls back with the byte count. Measured (docs/benchmarks.md, "s6-mul"): 8 MiB over TLS on
 * loopback, CPU of both ends in one process, median of 35 messages, four alternating pairs:
 * 17.2 / 15.9 / 16.9 / 16.7 ms with 'data' events against 16.2 / 15.1 / 15.3 / 10.7 ms.
 *
 * Node honours `onread` only for a socket it creates itself (`tls.connect` without a `socket`),
 * so the mesh passes it when it dials; the accepted socket is given the same fields afterwards
 * (accepted-reads.ts). The bytes are
 * valid only during the call to the sink, which must copy what it keeps (StreamLink does).
 * Until a sink is attached, reads are copied and kept, and handed over first when one is.
 */

/** Where a link's incoming bytes come from when not from 'data' events. */
export interface ReadSource {
  /** From now on, every read goes to `sink` (a chunk only valid during the call); reads kept meanwhile first. */
  deliverTo(sink: ((chunk: Uint8Array) => void) | undefined): void;
}

/** One read buffer's size: four TLS records, the most node's TLS socket hands over per read. */
const READ_BUFFER_BYTES = 64 * 1024;

export class ReusedReads implements ReadSource {
  private readonly buffer = new Uint8Array(READ_BUFFER_BYTES);
  private sink: ((chunk: Uint8Array) => void) | undefined;
  private kept: Uint8Array[] = [];

  /** The value of the `onread` option of `net.connect` / `tls.connect`. */
  readonly onread = {
    buffer: this.buffer,
    callback: (bytes: number, buf: Uint8Array): boolean => {
      const chunk = buf.subarray(0, bytes);
      if (this.sink) this.sink(chunk);
      else this.kept.push(chunk.slice());
      return true;
    },
  };

  deliverTo(sink: ((chunk: Uint8Array) => void) | undefined): void {
    this.sink = sink;
    while (this.sink && this.kept.length > 0) this.sink(this.kept.shift()!);
  }

  /** Puts bytes back in front of anything kept: the next sink receives them first. */
  unread(bytes: Uint8Array): void {
    if (bytes.byteLength > 0) this.kept.unshift(bytes.slice());
  }
}
