/**
 * `--epsilon ε` / `--rho ρ` [`--contributions n`]: differentially private noise on the opened
 * aggregates (discrete Laplace for ε, discrete Gaussian for ρ), sampled inside MPC by the nodes;
 * docs/statistics.md, "Differential privacy". Shared by `tessera sql`, `tessera explain` and
 * `tessera script record`.
 */

import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { PrivacySpec } from '../privacy/spec.js';

export interface PrivacyFlags {
  readonly epsilon?: string;
  readonly rho?: string;
  readonly contributions?: string;
  readonly suppressBelow?: string;
}

export function addPrivacyOptions(command: Command): Command {
  return command
    .option('--epsilon <ε>', 'open the aggregates with discrete Laplace noise for pure ε-differential privacy (ε spent on every table read)')
    .option('--rho <ρ>', 'open the aggregates with discrete Gaussian noise for ρ-zCDP')
    .option('--contributions <n>', 'with --epsilon/--rho: the most rows one individual adds to the aggregated input (default 1)')
    .option('--suppress-below <k>', 'with --epsilon/--rho on a group-by or crosstab: groups whose noisy count is below k are suppressed inside MPC');
}

/** The privacy spec the flags ask for, or undefined without them. */
export function privacyFromFlags(flags: PrivacyFlags): PrivacySpec | undefined {
  if (flags.epsilon !== undefined && flags.rho !== undefined) throw new UsageError('give --epsilon (Laplace noise) or --rho (Gaussian noise), not both');
  if (flags.epsilon === undefined && flags.rho === undefined) {
    if (flags.contributions !== undefined) throw new UsageError('--contributions goes with --epsilon or --rho');
    if (flags.suppressBelow !== undefined) throw new UsageError('--suppress-below goes with --epsilon or --rho (without noise, a crosstab suppresses with suppress_below in its plan)');
    return undefined;
  }
  const number = (text: string, flag: string): number => {
    const value = Number(text);
    if (!/^\s*[0-9.eE+-]+\s*$/.test(text) || !Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} takes a positive number, not '${text}'`);
    return value;
  };
  const contributions = {
    ...(flags.contributions === undefined ? {} : { contributions: number(flags.contributions, '--contributions') }),
    ...(flags.suppressBelow === undefined ? {} : { suppress_below: number(flags.suppressBelow, '--suppress-below') }),
  };
  return flags.epsilon !== undefined
    ? { mechanism: 'laplace', epsilon: number(flags.epsilon, '--epsilon'), ...contributions }
    : { mechanism: 'gaussian', rho: number(flags.rho!, '--rho'), ...contributions };
}
