/**
 * The job of bench/mul-timeline.ts, run by each party: multiplications of two random vectors
 * with the timeline on (src/mpc/timeline.ts), after untimed warm-ups. Before each timed one the
 * parties pass a barrier (bench/start-together.ts), so no clock starts before all three are there.
 *
 * Besides the protocol's own marks it watches the two TLS links from outside (benchmark only:
 * it wraps methods of the link's socket and frame reader, which src/net keeps private), so that
 * the timeline shows when this party's socket write was called, returned (node's TLS socket
 * encrypts what the kernel takes at once inside the call) and completed, and when the peer's
 * bytes arrived: the first chunk and every further MiB.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mul } from '../src/mpc/protocols/arith.js';
import { randomA } from '../src/mpc/protocols/io.js';
import type { Session } from '../src/mpc/session.js';
import { startTogether } from './start-together.js';
import { timeline, type TimelineMark } from '../src/mpc/timeline.js';
import type { TimelineArgs } from './timeline-report.js';


/** The parts of StreamLink the benchmark watches (private there; reached only here). */
interface WatchedLink {
  readonly socket: { write(data: Uint8Array, done: (e?: Error | null) => void): boolean };
  readonly reader: { receive(chunk: Uint8Array): void };
}

const MIB = 1 << 20;

/** Marks this party's socket writes to the previous party and the bytes arriving from the next one while the timeline is on; returns a reset of the byte count, for each repetition. */
function watchLinks(s: Session): () => void {
  const out = s.party.boxFor(s.prev).link as unknown as WatchedLink;
  const write = out.socket.write.bind(out.socket);
  out.socket.write = (data, done) => {
    if (!timeline.on || data.byteLength < MIB) return write(data, done);
    timeline.mark(s.me, `write ${(data.byteLength / MIB).toFixed(0)} MiB to P${s.prev}`);
    const r = write(data, (e) => {
      timeline.mark(s.me, 'write done');
      done(e);
    });
    timeline.mark(s.me, 'write returned');
    return r;
  };
  const input = s.party.boxFor(s.next).link as unknown as WatchedLink;
  const receive = input.reader.receive.bind(input.reader);
  let bytes = 0;
  input.reader.receive = (chunk) => {
    if (timeline.on) {
      const before = bytes;
      bytes += chunk.byteLength;
      if (before === 0) timeline.mark(s.me, `rx first from P${s.next}`);
      else if (Math.floor(bytes / MIB) > Math.floor(before / MIB)) timeline.mark(s.me, `rx ${Math.floor(bytes / MIB)} MiB`);
    }
    receive(chunk);
  };
  return () => {
    bytes = 0;
  };
}

export async function mulTimeline(s: Session, args: TimelineArgs): Promise<TimelineMark[][]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const x = randomA(s, args.rows), y = randomA(s, args.rows);
  for (let w = 0; w < args.warmups; w++) await mul(s, x, y);
  const resetCount = watchLinks(s);
  const reps: TimelineMark[][] = [];
  for (let r = 0; r < args.reps; r++) {
    gc();
    await startTogether(s);
    resetCount();
    timeline.on = true;
    timeline.mark(s.me, 'start');
    await mul(s, x, y);
    timeline.mark(s.me, 'done');
    timeline.on = false;
    reps.push(timeline.take().map((m) => ({ ...m, party: s.me })));
  }
  return reps;
}
