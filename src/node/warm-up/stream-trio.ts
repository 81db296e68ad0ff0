/**
 * Three parties in this thread linked by the node's own StreamLink framing over in-memory byte
 * streams (no socket, no TLS): the warm-up's trio, so that a node's link code (framing, queues,
 * the receive path) is compiled along with the protocols, as the TLS mesh will run it. The
 * in-memory links of mpc/local.ts would leave that code cold.
 */

import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { StreamLink } from '../../net/stream-link.js';
import { Party, PARTIES, type PartyId } from '../../mpc/party.js';
import type { ScratchPool } from '../../mpc/scratch.js';
import type { Session } from '../../mpc/session.js';

export interface StreamTrio {
  run<T>(body: (s: Session) => Promise<T>): Promise<[T, T, T]>;
  close(): void;
}

/** Two connected ends of an in-memory byte stream; each write arrives at the other end as a copy (the writer reuses its buffer). */
function bytePair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        other().push(Buffer.from(chunk));
        done();
      },
      final(done) {
        other().push(null);
        done();
      },
    });
  ends.push(make(() => ends[1]), make(() => ends[0]));
  return [ends[0], ends[1]];
}

/** `scratch`: each party's working memory (default: a pool of its own), e.g. pools backed by a memory reserve. */
export async function streamTrio(scratch?: (p: PartyId) => ScratchPool): Promise<StreamTrio> {
  // Links 0-1, 1-2, 2-0: party i's `next` is the lower end of link i, its `prev` the upper end of link i-1.
  const links = [0, 1, 2].map((i) => {
    const [lower, upper] = bytePair();
    return [new StreamLink(lower, `party ${(i + 1) % 3}`), new StreamLink(upper, `party ${i}`)] as const;
  });
  const parties = (await Promise.all(PARTIES.map((p) => Party.connect(p, { next: links[p][0], prev: links[(p + 2) % 3][1] }, scratch ? { scratch: scratch(p) } : {})))) as [Party, Party, Party];
  return {
    async run<T>(body: (s: Session) => Promise<T>): Promise<[T, T, T]> {
      const id = randomBytes(8).readBigUInt64LE(0) | 1n;
      return (await Promise.all(PARTIES.map((p: PartyId) => parties[p].run(id, body)))) as [T, T, T];
    },
    close() {
      for (const p of parties) p.close();
    },
  };
}
