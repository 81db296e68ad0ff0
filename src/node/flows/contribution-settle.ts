/**
 * What a coordinator does with the three nodes' answers to one submission S of contributor c
 * (see node/contribution-index.ts for the rules at each node):
 *
 *   - every node holds S                   -> acknowledge (stored, or already-stored on a retry);
 *   - a node could not answer              -> fail with its error: what it holds is unknown, so
 *                                             the client retries;
 *   - every node holds the same other S'   -> S' is at all three nodes for good: a duplicate;
 *   - some node holds a submission newer   -> conflict: S can never be at all three (the SDK
 *     than S                                  resubmits with a newer id);
 *   - otherwise the nodes hold different   -> ask each node whose submission H is older than the
 *     submissions, all older than S or S      newest submission seen at any node to replace H
 *                                             with S; then look again.
 *
 * Why a replacement never destroys a row that counts. A node's row only ever moves to a newer
 * submission. A submission that was once at all three nodes is never replaced (induction on the
 * first replacement that would: it needs a node seen holding something newer, which that node can
 * only have reached by an even earlier such replacement). So if any node was ever seen holding a
 * submission newer than H, H was never and will never be at all three nodes: it never counted and
 * was never acknowledged. The answers come from different moments; only "seen newer somewhere"
 * is safe to act on, never "seen different". docs/storage.md has the argument in full, and
 * test/node/contribution-settle.test.ts checks it on a model with concurrent coordinators.
 *
 * Pure: the answers in, the decision out, so every interleaving can be tested without nodes.
 */

import type { AppendOutcome } from '../contribution-index.js';

export type NodeAnswer = { readonly node: number; readonly outcome: AppendOutcome } | { readonly node: number; readonly error: Error };

export type Settlement =
  | { readonly kind: 'acknowledge'; readonly created: boolean }
  | { readonly kind: 'fail'; readonly errors: readonly { readonly node: number; readonly error: Error }[] }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'replace'; readonly at: readonly { readonly node: number; readonly replaces: string }[] }
  | { readonly kind: 'conflict' };

/** Rounds of replacement a coordinator may ask for before it gives up with a conflict. */
export const MAX_REPLACEMENT_ROUNDS = 2;

/**
 * `answers`: each node's latest answer; `created`: whether any earlier round stored S somewhere;
 * `replacementsLeft`: rounds of replacement still allowed.
 */
export function settleContribution(submission: string, answers: readonly NodeAnswer[], replacementsLeft: number, created = false): Settlement {
  const errors = answers.flatMap((a) => ('error' in a ? [{ node: a.node, error: a.error }] : []));
  if (errors.length > 0) return { kind: 'fail', errors };
  const held = answers.map((a) => {
    const o = (a as { outcome: AppendOutcome }).outcome;
    return { node: a.node, submission: o.status === 'held' ? o.submission : submission, stored: o.status === 'stored' };
  });
  if (held.every((h) => h.submission === submission)) return { kind: 'acknowledge', created: created || held.some((h) => h.stored) };
  if (held.every((h) => h.submission === held[0].submission)) return { kind: 'duplicate' };
  if (held.some((h) => h.submission > submission)) return { kind: 'conflict' };
  const newest = held.reduce((max, h) => (h.submission > max ? h.submission : max), '');
  const at = held.filter((h) => h.submission < newest).map((h) => ({ node: h.node, replaces: h.submission }));
  if (at.length === 0 || replacementsLeft <= 0) return { kind: 'conflict' };
  return { kind: 'replace', at };
}
