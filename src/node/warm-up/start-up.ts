/**
 * The warm-up as a node's start runs it (server.ts startNode): once the store has opened, before
 * the mesh starts and the API listens, so a node reports healthy (and takes jobs) only once it is
 * warm. Its duration goes into the log ('warm-up done') and into the health response (`warmUp`),
 * for operators and the benchmarks. A warm-up that fails is logged and the node starts anyway.
 */

import type { Logger } from 'pino';
import type { MemoryReserve } from '../../mpc/memory-reserve.js';
import { warmUp, type WarmUpOptions, type WarmUpReport } from './warm-up.js';

/** What a node tells about its warm-up (wire/api.ts HealthResponse `warmUp`). */
export interface WarmUpSummary {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Workloads that failed (each logged with its reason); 0 normally. */
  readonly failed: number;
}

/** What the node keeps from its warm-up: the summary it reports, the memory its pools fill from. */
export interface WarmedUp {
  readonly summary: WarmUpSummary;
  readonly reserve?: MemoryReserve;
}

/** `true` or options: run it; `false` or undefined: skip it. */
export type WarmUpSetting = boolean | WarmUpOptions;

export async function startUpWarmUp(setting: WarmUpSetting | undefined, log: Logger): Promise<WarmedUp | undefined> {
  if (setting === undefined || setting === false) return undefined;
  log.info('warming up: compiling the MPC kernels on synthetic data before listening (node.json "warmUp": false skips it)');
  let report: WarmUpReport;
  try {
    report = await warmUp(setting === true ? {} : setting);
  } catch (error) {
    log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'the warm-up failed; the node starts anyway (its first queries run cold)');
    return undefined;
  }
  const failed = report.steps.filter((s) => s.error !== undefined);
  for (const s of failed) log.warn({ step: s.name, reason: s.error }, 'a warm-up workload failed; the node starts anyway (its first query of that kind runs cold)');
  const round = (ms: number): number => Math.round(ms);
  log.info({ wallMs: round(report.wallMs), cpuMs: round(report.cpuMs), rows: report.rows, rounds: report.rounds, steps: report.steps.length, failed: failed.length }, 'warm-up done');
  return { summary: { wallMs: round(report.wallMs), cpuMs: round(report.cpuMs), failed: failed.length }, ...(report.reserve ? { reserve: report.reserve } : {}) };
}
