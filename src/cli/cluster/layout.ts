/**
 * A local cluster directory, as `tessera cluster init DIR` writes it:
 *
 *   DIR/cluster.json            this description (format tessera-local-cluster/v1)
 *   DIR/collaboration.json      the collaboration: the three nodes and the parties
 *   DIR/certs/                  ca.pem, node-<i>.pem, node-<i>.key (0600), fingerprints.json
 *   DIR/node<i>/node.json       node i's configuration (`tessera node --config` reads it)
 *   DIR/node<i>/node.key.json   node i's keys (0600)
 *   DIR/node<i>/data/           node i's table store (encrypted at rest)
 *   DIR/node<i>/node.log        its log (JSON lines), while started by `cluster up`
 *   DIR/node<i>/node.pid        its process id, while running
 *   DIR/parties/<slug>.key.json a party's private keys (0600); <slug>.pub.json its public identity
 *
 * Paths inside cluster.json are relative to DIR, so the directory can be moved.
 */

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ROLES, type NodeIndex, type Role } from '../../governance/collaboration.js';
import { ClusterDirError } from '../errors.js';
import { partySlug } from './parties.js';

export const CLUSTER_FILE = 'cluster.json';
export const CLUSTER_FORMAT = 'tessera-local-cluster/v1';

export interface ClusterNodeEntry {
  readonly index: NodeIndex;
  readonly name: string;
  readonly apiUrl: string;
  readonly mpcAddress: string;
  readonly config: string;
  readonly dataDir: string;
  readonly log: string;
  readonly pidFile: string;
}

export interface ClusterPartyEntry {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly key: string;
  readonly publicIdentity: string;
  readonly fingerprint: string;
}

export interface ClusterFile {
  readonly format: typeof CLUSTER_FORMAT;
  readonly createdAt: string;
  readonly host: string;
  readonly collaboration: string;
  readonly ca: string;
  readonly nodes: readonly ClusterNodeEntry[];
  readonly parties: readonly ClusterPartyEntry[];
}

/** The paths of what `cluster init` writes (relative to DIR), so --force removes exactly these. */
export const INIT_ENTRIES = [CLUSTER_FILE, 'collaboration.json', 'certs', 'node0', 'node1', 'node2', 'parties'] as const;

export class LocalCluster {
  private constructor(
    /** Absolute path of the cluster directory. */
    readonly dir: string,
    readonly file: ClusterFile,
  ) {}

  static async load(dir: string): Promise<LocalCluster> {
    const abs = resolve(dir);
    let text: string;
    try {
      text = await readFile(join(abs, CLUSTER_FILE), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new ClusterDirError(`${dir} is not a Tessera cluster directory (it has no ${CLUSTER_FILE}); create one with \`tessera cluster init ${dir}\`, or check the path`);
      }
      throw new ClusterDirError(`cannot read ${join(dir, CLUSTER_FILE)} (${code ?? 'I/O error'})`);
    }
    return new LocalCluster(abs, parseClusterFile(text, join(dir, CLUSTER_FILE)));
  }

  static fromFile(dir: string, file: ClusterFile): LocalCluster {
    return new LocalCluster(resolve(dir), file);
  }

  /** An absolute path for a path relative to the cluster directory. */
  path(relative: string): string {
    return resolve(this.dir, relative);
  }

  get collaborationPath(): string {
    return this.path(this.file.collaboration);
  }

  get caPath(): string {
    return this.path(this.file.ca);
  }

  get nodes(): readonly ClusterNodeEntry[] {
    return this.file.nodes;
  }

  /** A party by its name or key-file name, ignoring case; the error lists the parties there are. */
  party(nameOrSlug: string): ClusterPartyEntry {
    const wanted = nameOrSlug.toLowerCase();
    const found =
      this.file.parties.find((p) => p.name === nameOrSlug) ??
      this.file.parties.find((p) => p.name.toLowerCase() === wanted) ??
      this.file.parties.find((p) => partySlug(p.name) === partySlug(nameOrSlug));
    if (!found) {
      throw new ClusterDirError(`this cluster has no party '${nameOrSlug}'; its parties are ${this.file.parties.map((p) => `'${p.name}'`).join(', ')}`);
    }
    return found;
  }
}

function parseClusterFile(text: string, source: string): ClusterFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ClusterDirError(`${source} is not valid JSON; recreate the cluster with \`tessera cluster init --force\``);
  }
  const problems: string[] = [];
  const v = value as Partial<Record<keyof ClusterFile, unknown>> | null;
  if (v === null || typeof v !== 'object' || v.format !== CLUSTER_FORMAT) {
    throw new ClusterDirError(`${source} is not a Tessera cluster description (expected "format": "${CLUSTER_FORMAT}")`);
  }
  for (const field of ['createdAt', 'host', 'collaboration', 'ca'] as const) {
    if (typeof v[field] !== 'string') problems.push(`"${field}" must be a string`);
  }
  const nodes = Array.isArray(v.nodes) ? (v.nodes as unknown[]) : [];
  if (nodes.length !== 3) problems.push('"nodes" must list the three nodes');
  nodes.forEach((n, i) => {
    const node = n as Record<string, unknown> | null;
    if (node === null || typeof node !== 'object' || node.index !== i) return problems.push(`nodes[${i}] must be an object with "index": ${i}`);
    for (const field of ['name', 'apiUrl', 'mpcAddress', 'config', 'dataDir', 'log', 'pidFile']) {
      if (typeof node[field] !== 'string') problems.push(`nodes[${i}].${field} must be a string`);
    }
  });
  const parties = Array.isArray(v.parties) ? (v.parties as unknown[]) : [];
  if (!Array.isArray(v.parties)) problems.push('"parties" must be a list');
  parties.forEach((p, i) => {
    const party = p as Record<string, unknown> | null;
    if (party === null || typeof party !== 'object') return problems.push(`parties[${i}] must be an object`);
    for (const field of ['name', 'key', 'publicIdentity', 'fingerprint']) {
      if (typeof party[field] !== 'string') problems.push(`parties[${i}].${field} must be a string`);
    }
    if (!Array.isArray(party.roles) || !party.roles.every((r) => (ROLES as readonly unknown[]).includes(r))) problems.push(`parties[${i}].roles must list roles among ${ROLES.join(', ')}`);
  });
  if (problems.length > 0) throw new ClusterDirError(`${source} is damaged:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return value as ClusterFile;
}
