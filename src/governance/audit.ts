/**
 * The audit log's format and its checks (docs/governance.md, "Audit"). Every node appends one
 * line per event to its own log (node/governance/audit-log.ts); each line is
 *
 *   { "entry": { "seq": n, "prev": "<hash of entry n-1, or 64 zeros>", "at": ISO time, "node": "node-a",
 *                "event": "query" | "script" | "approval" | "revocation", ... }, "sig": "<b64>" }
 *
 * `sig` is the node's Ed25519 signature over PAE(AUDIT_PAYLOAD_TYPE, canonical JSON of entry), so
 * an edited entry fails its signature, and `prev` chains each entry to the one before: a deleted
 * or reordered entry breaks the chain where it happened. A query entry holds only public facts:
 * who asked, the plan's hash, the script step and approvals relied on, what was made public (row
 * counts, revealed facts), who receives the result, the outcome; never an input or a result.
 */

import { createHash, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, canonicalJsonBytes, type JsonValue } from '../crypto/canonical-json.js';
import { decodePublicKey } from '../crypto/keys.js';
import { preAuthEncoding } from '../crypto/pae.js';
import type { Collaboration, NodeIndex } from './collaboration.js';

export const AUDIT_PAYLOAD_TYPE = 'application/vnd.tessera.audit-entry+json';
export const GENESIS = '0'.repeat(64);

export type AuditEvent = 'query' | 'script' | 'approval' | 'revocation' | 'dummy-table';

/** What one query made public, as the node saw it. */
export interface AuditDisclosed {
  readonly rows: number;
  readonly excluded: number;
  readonly resultRows: number;
  readonly revealed: readonly { readonly path: string; readonly fact: string; readonly value: number }[];
}

export interface AuditEntry {
  readonly seq: number;
  readonly prev: string;
  readonly at: string;
  readonly node: string;
  readonly event: AuditEvent;
  readonly [field: string]: JsonValue;
}

export interface AuditLine {
  readonly entry: AuditEntry;
  readonly sig: string;
}

/** SHA-256 (hex) of an entry's canonical JSON: what the next entry's `prev` names. */
export function entryHash(entry: AuditEntry): string {
  return createHash('sha256').update(canonicalJsonBytes(entry)).digest('hex');
}

export function entrySigningMessage(entry: AuditEntry): Buffer {
  return preAuthEncoding(AUDIT_PAYLOAD_TYPE, canonicalJsonBytes(entry));
}

export interface ChainReport {
  readonly node: string;
  readonly entries: readonly AuditEntry[];
  /** Every problem found, each naming the entry (line) and what is wrong. */
  readonly problems: readonly string[];
}

/**
 * Checks one node's log text: every line parses, is signed by the node's key in the
 * collaboration, numbered one after the other from 0, and names its predecessor's hash.
 */
export function verifyChain(text: string, collaboration: Collaboration, node: NodeIndex): ChainReport {
  const config = collaboration.node(node);
  const problems: string[] = [];
  const entries: AuditEntry[] = [];
  if (config.signingKey === undefined) return { node: config.name, entries, problems: [`the collaboration lists no signing key for ${config.name}, so its log cannot be checked`] };
  const key: KeyObject = decodePublicKey(config.signingKey, 'ed25519', `signing key of ${config.name}`);
  const lines = text.split('\n').filter((l) => l.length > 0);
  let prev = GENESIS;
  lines.forEach((text, i) => {
    const where = `${config.name} line ${i + 1}`;
    let line: AuditLine;
    try {
      line = JSON.parse(text) as AuditLine;
    } catch {
      problems.push(`${where}: not JSON (the line was damaged or edited)`);
      return;
    }
    const entry = line?.entry;
    if (!entry || typeof entry !== 'object' || typeof line.sig !== 'string') {
      problems.push(`${where}: not an audit entry { entry, sig }`);
      return;
    }
    const sig = Buffer.from(line.sig, 'base64');
    let signed = false;
    try {
      signed = sig.byteLength === 64 && verify(null, entrySigningMessage(entry), key, sig);
    } catch {
      signed = false;
    }
    if (!signed) problems.push(`${where} (seq ${String(entry.seq)}): edited: its signature by ${config.name} does not verify`);
    if (entry.node !== config.name) problems.push(`${where}: written by ${String(entry.node)}, not ${config.name}`);
    if (entry.seq !== i) {
      if (typeof entry.seq === 'number' && entry.seq > i) problems.push(`${where}: seq ${entry.seq} where ${i} was expected: ${entry.seq - i} entr${entry.seq - i === 1 ? 'y was' : 'ies were'} deleted before it (or the entries were reordered)`);
      else problems.push(`${where}: seq ${String(entry.seq)} where ${i} was expected: the entries were reordered or an entry was copied`);
    } else if (entry.prev !== prev) {
      problems.push(`${where} (seq ${entry.seq}): does not follow the entry before it (its "prev" hash differs): an entry before it was edited, deleted or reordered`);
    }
    prev = entryHash(entry);
    entries.push(entry);
  });
  return { node: config.name, entries, problems };
}

/**
 * What every node must log alike about a query's differential-privacy charge: the mechanism, the
 * amount and the tables charged. A table's running total and remainder are left out: they are each
 * node's own ledger's account, which its chain covers.
 */
function privacyCharge(e: AuditEntry): JsonValue {
  const p = e.privacy;
  if (!isRecord(p)) return p ?? null;
  const tables = p.tables;
  return { mechanism: p.mechanism ?? null, spent: p.spent ?? null, tables: Array.isArray(tables) ? (tables as readonly JsonValue[]).map((t) => (isRecord(t) ? (t.table ?? null) : null)) : null };
}

function isRecord(v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Cross-checks the three nodes' logs: a query computed at one node ran at all three (MPC needs
 * them all), so each must log it; and the three must agree on who asked, the plan, the script
 * step, the approvals, what was made public and who receives it.
 */
export function crossCheck(reports: readonly ChainReport[]): string[] {
  const problems: string[] = [];
  const byQuery = new Map<string, Map<string, AuditEntry>>();
  for (const r of reports) {
    for (const e of r.entries) {
      if (e.event !== 'query' || typeof e.query !== 'string') continue;
      const seen = byQuery.get(e.query) ?? new Map<string, AuditEntry>();
      // A node logs a query once; a second entry would be a replay of the log.
      if (seen.has(r.node)) problems.push(`${r.node} logs query ${e.query} twice`);
      seen.set(r.node, e);
      byQuery.set(e.query, seen);
    }
  }
  const fields = ['requestedBy', 'plan', 'script', 'step', 'approvals', 'recipients', 'disclosed', 'design'] as const;
  for (const [query, seen] of byQuery) {
    const computed = [...seen.entries()].filter(([, e]) => e.outcome === 'computed');
    if (computed.length === 0) continue;
    for (const r of reports) {
      if (!seen.has(r.node)) problems.push(`query ${query} was computed at ${computed.map(([n]) => n).join(', ')} but ${r.node}'s log has no entry for it (deleted?)`);
    }
    const [firstNode, first] = computed[0];
    for (const [node, e] of computed.slice(1)) {
      for (const f of fields) {
        if (canonicalJson(e[f] ?? null) !== canonicalJson(first[f] ?? null)) problems.push(`query ${query}: ${node} and ${firstNode} log different "${f}"`);
      }
      if (canonicalJson(privacyCharge(e)) !== canonicalJson(privacyCharge(first))) problems.push(`query ${query}: ${node} and ${firstNode} log different "privacy" (mechanism, ε or ρ charged, or the tables charged)`);
    }
  }
  return problems;
}
