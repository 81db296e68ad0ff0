/**
 * Per-process counters from /proc (Linux): CPU seconds and bytes read. `rchar` counts every
 * byte a process read through read-like system calls, sockets included, so for a node process
 * during an upload it is the bytes it received (its files are written, not read, meanwhile).
 */

import { readFile } from 'node:fs/promises';

export interface ProcCounters {
  readonly cpuSeconds: number;
  readonly bytesRead: number;
  /** Minor page faults (first touches of fresh memory, /proc/<pid>/stat minflt). */
  readonly minorFaults: number;
}

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every Linux we know). */
const TICKS_PER_SECOND = 100;

export async function procCounters(pid: number): Promise<ProcCounters> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const minflt = Number(fields[7]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  const rchar = Number(/^rchar: (\d+)$/m.exec(io)?.[1] ?? NaN);
  return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, bytesRead: rchar, minorFaults: minflt };
}

export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Counters of several processes and of this one, and their differences later. */
export class CounterWindow {
  private constructor(
    private readonly pids: readonly number[],
    private readonly before: readonly ProcCounters[],
    private readonly selfBefore: number,
  ) {}

  static async open(pids: readonly number[]): Promise<CounterWindow> {
    return new CounterWindow(pids, await Promise.all(pids.map(procCounters)), selfCpuSeconds());
  }

  async close(): Promise<{ cpuSeconds: number[]; bytesRead: number[]; minorFaults: number[]; selfCpuSeconds: number }> {
    const after = await Promise.all(this.pids.map(procCounters));
    return {
      cpuSeconds: after.map((a, i) => a.cpuSeconds - this.before[i].cpuSeconds),
      bytesRead: after.map((a, i) => a.bytesRead - this.before[i].bytesRead),
      minorFaults: after.map((a, i) => a.minorFaults - this.before[i].minorFaults),
      selfCpuSeconds: selfCpuSeconds() - this.selfBefore,
    };
  }
}

