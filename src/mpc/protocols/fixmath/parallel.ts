/**
 * Independent protocol steps run side by side in sub-sessions (Session.fork), so their rounds
 * overlap: the parent's round counter advances by the longest branch, and its byte counters by
 * the sum. Every party must call `parallel` at the same protocol step with the same branches.
 */

import type { Session } from '../../session.js';

export async function parallel<A, B>(s: Session, first: (s: Session) => Promise<A>, second: (s: Session) => Promise<B>): Promise<[A, B]> {
  const forks = [s.fork(), s.fork()];
  try {
    return await Promise.all([first(forks[0]), second(forks[1])]);
  } catch (e) {
    // Tell the peers' branches at once instead of letting them wait for their timeout.
    for (const f of forks) f.abort(e instanceof Error ? e.message : String(e));
    throw e;
  } finally {
    s.stats.rounds += Math.max(forks[0].stats.rounds, forks[1].stats.rounds);
    for (const f of forks) {
      s.stats.bytesSent += f.stats.bytesSent;
      s.stats.messagesSent += f.stats.messagesSent;
      // Each branch has received everything addressed to it: release its queues now rather
      // than when the parent session ends.
      s.party.forget(f);
      s.children.splice(s.children.indexOf(f), 1);
    }
  }
}
