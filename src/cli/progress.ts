/**
 * A progress indicator: a cli-progress bar on a terminal, a few plain lines otherwise (logs and
 * pipes should not fill with carriage returns).
 */

import cliProgress from 'cli-progress';
import type { Console } from './output.js';

export interface Progress {
  increment(): void;
  stop(): void;
}

/** A bar that is moved to a value (a job's step of `steps`), rather than counted up. */
export interface StepProgress {
  update(step: number, steps: number, label: string): void;
  stop(): void;
}

/** A job's progress: a cli-progress bar on a terminal, a line per quarter otherwise. */
export function startStepProgress(io: Console, label: string): StepProgress {
  if (io.out.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        format: `  ${label} ${io.style.enabled ? io.style.cyan('{bar}') : '{bar}'} step {value}/{total} {operator}`,
        hideCursor: true,
        clearOnComplete: false,
        stream: io.out as unknown as NodeJS.WriteStream,
        barsize: 30,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(step, steps, operator) {
        if (!started) bar.start(steps, step, { operator });
        else bar.update(step, { operator });
        bar.setTotal(steps);
        started = true;
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let nextQuarter = 1;
  return {
    update(step, steps, operator) {
      while (nextQuarter <= 4 && step >= (steps * nextQuarter) / 4) {
        io.line(`  ${label} step ${step}/${steps} (${operator})`);
        nextQuarter++;
      }
    },
    stop() {},
  };
}

export function startProgress(io: Console, total: number, label: string): Progress {
  if (io.out.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        format: `  ${label} ${io.style.enabled ? io.style.cyan('{bar}') : '{bar}'} {value}/{total} ({rate}/s)`,
        hideCursor: true,
        clearOnComplete: false,
        stream: io.out as unknown as NodeJS.WriteStream,
        barsize: 30,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now();
    bar.start(total, 0, { rate: '0' });
    let done = 0;
    return {
      increment() {
        done++;
        bar.increment(1, { rate: Math.round(done / ((performance.now() - started) / 1000)).toString() });
      },
      stop() {
        bar.stop();
      },
    };
  }
  // Not a terminal: a line at each quarter.
  let done = 0;
  let nextQuarter = 1;
  return {
    increment() {
      done++;
      while (nextQuarter <= 4 && done >= (total * nextQuarter) / 4) {
        io.line(`  ${label} ${done}/${total}`);
        nextQuarter++;
      }
    },
    stop() {},
  };
}
