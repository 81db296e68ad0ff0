/**
 * Three parties in the current thread, linked by in-memory links. Tests and property checks use
 * it to run one protocol body on all three parties with plain closures.
 */

import { randomBytes } from 'node:crypto';
import { DirectLink } from '../net/direct-link.js';
import { Party, PARTIES, type PartyId, type PartyOptions } from './party.js';
import type { ScratchPool } from './scratch.js';
import type { Session } from './session.js';

export interface LocalTrio {
  readonly parties: readonly [Party, Party, Party];
  /** The links as [0-1, 1-2, 2-0], each as [lower end, upper end], for fault-injection tests. */
  readonly links: readonly [DirectLink, DirectLink][];
  /** Runs `body` on all three parties in one new session and returns their three results. */
  run<T>(body: (s: Session) => Promise<T>): Promise<[T, T, T]>;
  close(): void;
}

export interface LocalTrioOptions extends Omit<PartyOptions, 'scratch'> {
  /**
   * Observes every message as it is delivered (security tests record a party's view with it).
   * `to` received `payload` from `from`.
   */
  readonly tap?: (to: PartyId, from: PartyId, session: bigint, payload: Uint8Array) => void;
  /** Each party's working memory (default: a pool of its own; one pool per party, never shared). */
  readonly scratch?: (p: PartyId) => ScratchPool;
}

export async function localTrio(options: LocalTrioOptions = {}): Promise<LocalTrio> {
  const { tap, scratch, ...partyOptions } = options;
  const optionsOf = (p: PartyId): PartyOptions => (scratch ? { ...partyOptions, scratch: scratch(p) } : partyOptions);
  const l01 = DirectLink.pair('party 1', 'party 0', tap && ((toB, session, p) => tap(toB ? 1 : 0, toB ? 0 : 1, session, p)));
  const l12 = DirectLink.pair('party 2', 'party 1', tap && ((toB, session, p) => tap(toB ? 2 : 1, toB ? 1 : 2, session, p)));
  const l20 = DirectLink.pair('party 0', 'party 2', tap && ((toB, session, p) => tap(toB ? 0 : 2, toB ? 2 : 0, session, p)));
  const parties = (await Promise.all([
    Party.connect(0, { next: l01[0], prev: l20[1] }, optionsOf(0)),
    Party.connect(1, { next: l12[0], prev: l01[1] }, optionsOf(1)),
    Party.connect(2, { next: l20[0], prev: l12[1] }, optionsOf(2)),
  ])) as [Party, Party, Party];
  return {
    parties,
    links: [l01, l12, l20],
    async run<T>(body: (s: Session) => Promise<T>): Promise<[T, T, T]> {
      const id = randomBytes(8).readBigUInt64LE(0) | 1n;
      return (await Promise.all(PARTIES.map((p: PartyId) => parties[p].run(id, body)))) as [T, T, T];
    },
    close() {
      for (const p of parties) p.close();
    },
  };
}
