/**
 * Timestamps of a protocol's steps in each party, kept in memory, to find where its wall time
 * goes: which party computes, which one waits for which message, what overlaps and how long the
 * critical path is (bench/shuffle-timeline.ts turns it on in the three party processes and
 * prints their marks side by side). Off unless a benchmark turns it on; then a mark is one
 * property read (a caller whose label is built per call checks `on` first), so protocols can
 * leave their marks in place.
 *
 * A mark carries the wall clock (epoch milliseconds, comparable across processes on one
 * machine) and the process's CPU time, so that the gap between two marks says whether the party
 * was computing or waiting in between.
 */

import type { PartyId } from './party.js';

export interface TimelineMark {
  readonly party: PartyId;
  readonly label: string;
  /** Wall clock, epoch milliseconds (fractional). */
  readonly at: number;
  /** CPU time of the whole process (user + system), milliseconds. */
  readonly cpu: number;
}

class Timeline {
  /** Whether marks are kept; set by a benchmark before the steps it times. */
  on = false;
  private marks: TimelineMark[] = [];

  mark(party: PartyId, label: string): void {
    if (!this.on) return;
    const c = process.cpuUsage();
    this.marks.push({ party, label, at: performance.timeOrigin + performance.now(), cpu: (c.user + c.system) / 1000 });
  }

  /** The marks kept so far, which are forgotten. */
  take(): TimelineMark[] {
    const out = this.marks;
    this.marks = [];
    return out;
  }
}

/** The timeline of this thread (every party running in it). */
export const timeline = new Timeline();
