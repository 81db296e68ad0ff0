/**
 * The collaboration file: who takes part and how to reach the three compute nodes. Every node and
 * client loads the same file; nodes compare `hash` (SHA-256 of the canonical JSON of the validated
 * file) to make sure they run the same collaboration.
 *
 *   { "format": "tessera-collaboration/v1",
 *     "id": "diabetes-2025", "name": "Diabetes outcomes study",
 *     "nodes": [ { "index": 0, "name": "node-a", "apiUrl": "https://a.example:8443",
 *                  "mpcAddress": "a.example:9000", "tlsCertificateFingerprint": "<64 hex: SHA-256 of DER>",
 *                  "encryptionKey": "<X25519 SPKI b64>", "signingKey": "<Ed25519 SPKI b64, optional>" }, x3 ],
 *     "parties": [ { "name": "St. Mary Hospital", "roles": ["input", "representative"],
 *                    "signingKey": "<Ed25519 SPKI b64>", "encryptionKey": "<X25519 SPKI b64>" } ],
 *     "governance": { ... optional: the policy, governance/policy.ts and docs/governance.md } }
 *
 * Validation is strict: unknown fields are refused (a typo such as "role" must not silently
 * drop a permission), and every problem is reported at once.
 */

import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CollaborationError, InvalidNameError, KeyFormatError, UnknownPartyError } from '../errors.js';
import { canonicalHash } from '../crypto/canonical-json.js';
import { checkPartyName } from '../crypto/identity.js';
import { decodePublicKey, encodePublicKey, publicOf, type KeyAlgorithm } from '../crypto/keys.js';
import { validateGovernance, type Governance } from './policy.js';

export const COLLABORATION_FORMAT = 'tessera-collaboration/v1';

export const ROLES = ['input', 'output', 'analyst', 'representative'] as const;
export type Role = (typeof ROLES)[number];
export type NodeIndex = 0 | 1 | 2;

export interface NodeConfig {
  readonly index: NodeIndex;
  readonly name: string;
  /** Base URL of the node's client API (https, or http on loopback for local runs). */
  readonly apiUrl: string;
  /** host:port where the other nodes reach this node's MPC endpoint. */
  readonly mpcAddress: string;
  /** SHA-256 of the node's TLS certificate (DER), 64 lower-case hex digits: pinned, not CA-trusted. */
  readonly tlsCertificateFingerprint: string;
  /** X25519 key that clients encrypt this node's shares to. */
  readonly encryptionKey: string;
  /** Ed25519 key the node signs with (result envelopes, audit entries); optional for now. */
  readonly signingKey?: string;
}

export interface PartyConfig {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly signingKey: string;
  readonly encryptionKey: string;
}

export interface CollaborationFile {
  readonly format: typeof COLLABORATION_FORMAT;
  readonly id: string;
  readonly name: string;
  readonly nodes: readonly [NodeConfig, NodeConfig, NodeConfig];
  readonly parties: readonly PartyConfig[];
  /** The governance policy (governance/policy.ts); absent: ungoverned. */
  readonly governance?: Governance;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const NODE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HOST_PORT = /^(?<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(?<port>[0-9]{1,5})$/;
const FINGERPRINT_HEX = /^[0-9a-f]{64}$/;
const FINGERPRINT_COLONS = /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/;

export class Collaboration {
  readonly file: CollaborationFile;
  /** SHA-256 (hex) of the canonical JSON of the validated file. */
  readonly hash: string;
  private readonly partiesByName = new Map<string, PartyConfig>();
  private readonly partiesBySigningKey = new Map<string, PartyConfig>();

  private constructor(file: CollaborationFile) {
    this.file = file;
    this.hash = canonicalHash(file);
    for (const p of file.parties) {
      this.partiesByName.set(p.name, p);
      this.partiesBySigningKey.set(p.signingKey, p);
    }
  }

  /** Validates a parsed JSON value; `source` names it in errors (a path, or "collaboration"). */
  static fromJson(value: unknown, source = 'collaboration file'): Collaboration {
    return new Collaboration(validateCollaboration(value, source));
  }

  /** The governance policy, or undefined for an ungoverned collaboration (docs/governance.md). */
  get governance(): Governance | undefined {
    return this.file.governance;
  }

  static parse(text: string, source = 'collaboration file'): Collaboration {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new CollaborationError(source, ['the file is not valid JSON']);
    }
    return Collaboration.fromJson(value, source);
  }

  static async load(path: string): Promise<Collaboration> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'I/O error';
      throw new CollaborationError(path, [`cannot read the file (${code}); check the path given with --collaboration`]);
    }
    return Collaboration.parse(text, path);
  }

  get id(): string {
    return this.file.id;
  }
  get name(): string {
    return this.file.name;
  }
  get nodes(): readonly NodeConfig[] {
    return this.file.nodes;
  }
  get parties(): readonly PartyConfig[] {
    return this.file.parties;
  }

  node(index: NodeIndex): NodeConfig {
    return this.file.nodes[index];
  }

  nodeByName(name: string): NodeConfig {
    const node = this.file.nodes.find((n) => n.name === name);
    if (!node) throw new UnknownPartyError(`no node named '${name}' in collaboration '${this.id}'`);
    return node;
  }

  /** The party with this name; throws UnknownPartyError if there is none. */
  party(name: string): PartyConfig {
    const party = this.partiesByName.get(name);
    if (!party) throw new UnknownPartyError(`no party named '${name}' in collaboration '${this.id}'`);
    return party;
  }

  findParty(name: string): PartyConfig | undefined {
    return this.partiesByName.get(name);
  }

  /** The party owning this Ed25519 key (SPKI base64 or KeyObject), or undefined. */
  partyBySigningKey(key: string | KeyObject): PartyConfig | undefined {
    const text = typeof key === 'string' ? key : encodePublicKey(publicOf(key));
    return this.partiesBySigningKey.get(text);
  }

  partiesWithRole(role: Role): readonly PartyConfig[] {
    return this.file.parties.filter((p) => p.roles.includes(role));
  }

  hasRole(partyName: string, role: Role): boolean {
    return this.findParty(partyName)?.roles.includes(role) ?? false;
  }

  signingKeyOf(partyName: string): KeyObject {
    return decodePublicKey(this.party(partyName).signingKey, 'ed25519', `signing key of '${partyName}'`);
  }

  /** Node `index`'s Ed25519 key (audit entries, result attestations); throws if the file lists none. */
  signingKeyOfNode(index: NodeIndex): KeyObject {
    return decodePublicKey(this.node(index).signingKey as string, 'ed25519', `signing key of node ${index}`);
  }

  encryptionKeyOf(partyName: string): KeyObject {
    return decodePublicKey(this.party(partyName).encryptionKey, 'x25519', `encryption key of '${partyName}'`);
  }

  nodeEncryptionKey(index: NodeIndex): KeyObject {
    return decodePublicKey(this.node(index).encryptionKey, 'x25519', `encryption key of node ${index}`);
  }

  /** The validated file as JSON text (pretty, for writing back). */
  toJsonText(): string {
    return JSON.stringify(this.file, null, 2) + '\n';
  }
}

// ---- validation ------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** Collects problems instead of stopping at the first, so one run of the checker lists them all. */
class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
}

function validateCollaboration(value: unknown, source: string): CollaborationFile {
  const problems = new Problems();
  if (!isObject(value)) throw new CollaborationError(source, ['the top level must be a JSON object']);
  onlyFields(value, ['format', 'id', 'name', 'nodes', 'parties', 'governance'], 'the file', problems);
  if (value.format !== COLLABORATION_FORMAT) problems.add(`"format" must be "${COLLABORATION_FORMAT}"`);
  const id = value.id;
  if (typeof id !== 'string' || !ID.test(id)) problems.add('"id" must be 1-64 characters: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
  const name = value.name;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) problems.add('"name" must be a non-empty string of at most 200 characters');

  const seenKeys = new Map<string, string>();
  const nodes = validateNodes(value.nodes, problems, seenKeys);
  const parties = validateParties(value.parties, problems, seenKeys);
  let governance: Governance | undefined;
  if (value.governance !== undefined && problems.list.length === 0) {
    governance = validateGovernance(value.governance, id as string, parties, problems.list);
    // Audit entries and result receipts are signed by the nodes: a third party must be able to check them.
    if (nodes.some((n) => n.signingKey === undefined)) problems.add('a governed collaboration lists every node\'s "signingKey" (audit entries and result receipts are signed by the nodes)');
  }
  if (problems.list.length > 0) throw new CollaborationError(source, problems.list);
  return {
    format: COLLABORATION_FORMAT,
    id: id as string,
    name: name as string,
    nodes: nodes as [NodeConfig, NodeConfig, NodeConfig],
    parties,
    ...(governance ? { governance } : {}),
  };
}

function validateNodes(value: unknown, problems: Problems, seenKeys: Map<string, string>): NodeConfig[] {
  if (!Array.isArray(value) || value.length !== 3) {
    problems.add(`"nodes" must list exactly 3 compute nodes (found ${Array.isArray(value) ? value.length : 'none'})`);
    return [];
  }
  const nodes: NodeConfig[] = [];
  const names = new Set<string>();
  value.forEach((raw: unknown, position: number) => {
    const where = `nodes[${position}]`;
    if (!isObject(raw)) return problems.add(`${where} must be an object`);
    onlyFields(raw, ['index', 'name', 'apiUrl', 'mpcAddress', 'tlsCertificateFingerprint', 'encryptionKey', 'signingKey'], where, problems);
    if (raw.index !== position) problems.add(`${where}: "index" must be ${position} (nodes are listed in index order 0, 1, 2)`);
    const name = raw.name;
    if (typeof name !== 'string' || !NODE_NAME.test(name)) {
      problems.add(`${where}: "name" must be 1-63 characters of lower-case letters, digits and "-"`);
    } else if (names.has(name)) {
      problems.add(`${where}: node name '${name}' is used twice`);
    } else names.add(name);
    const label = typeof name === 'string' ? `node '${name}'` : where;
    checkApiUrl(raw.apiUrl, label, problems);
    checkHostPort(raw.mpcAddress, label, problems);
    const fingerprint = normaliseFingerprint(raw.tlsCertificateFingerprint);
    if (!fingerprint) problems.add(`${label}: "tlsCertificateFingerprint" must be the SHA-256 of the certificate: 64 hex digits (colons allowed)`);
    checkKey(raw.encryptionKey, 'x25519', label, 'encryptionKey', problems, seenKeys);
    if (raw.signingKey !== undefined) checkKey(raw.signingKey, 'ed25519', label, 'signingKey', problems, seenKeys);
    const node: NodeConfig = {
      index: position as NodeIndex,
      name: name as string,
      apiUrl: raw.apiUrl as string,
      mpcAddress: raw.mpcAddress as string,
      tlsCertificateFingerprint: fingerprint ?? '',
      encryptionKey: raw.encryptionKey as string,
      ...(raw.signingKey !== undefined ? { signingKey: raw.signingKey as string } : {}),
    };
    nodes.push(node);
  });
  return nodes;
}

function validateParties(value: unknown, problems: Problems, seenKeys: Map<string, string>): PartyConfig[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add('"parties" must list at least one party');
    return [];
  }
  const parties: PartyConfig[] = [];
  const names = new Map<string, string>();
  value.forEach((raw: unknown, position: number) => {
    const where = `parties[${position}]`;
    if (!isObject(raw)) return problems.add(`${where} must be an object`);
    onlyFields(raw, ['name', 'roles', 'signingKey', 'encryptionKey'], where, problems);
    let name = raw.name as string;
    try {
      name = checkPartyName(raw.name, `${where}: "name"`);
      // Names differing only in case would read as the same party to people approving scripts.
      const folded = name.toLowerCase();
      const previous = names.get(folded);
      if (previous !== undefined) problems.add(`${where}: party name '${name}' is already used by '${previous}' (names must differ in more than case)`);
      else names.set(folded, name);
    } catch (error) {
      if (!(error instanceof InvalidNameError)) throw error;
      problems.add(error.message);
    }
    const label = typeof raw.name === 'string' ? `party '${raw.name}'` : where;
    const roles = raw.roles;
    if (!Array.isArray(roles) || roles.length === 0) {
      problems.add(`${label}: "roles" must be a non-empty list of ${ROLES.join(', ')}`);
    } else {
      const seen = new Set<unknown>();
      for (const role of roles) {
        if (!(ROLES as readonly unknown[]).includes(role)) problems.add(`${label}: unknown role ${JSON.stringify(role)} (roles are ${ROLES.join(', ')})`);
        else if (seen.has(role)) problems.add(`${label}: role '${String(role)}' is listed twice`);
        seen.add(role);
      }
    }
    checkKey(raw.signingKey, 'ed25519', label, 'signingKey', problems, seenKeys);
    checkKey(raw.encryptionKey, 'x25519', label, 'encryptionKey', problems, seenKeys);
    parties.push({ name, roles: (Array.isArray(roles) ? roles : []) as Role[], signingKey: raw.signingKey as string, encryptionKey: raw.encryptionKey as string });
  });
  return parties;
}

function checkKey(value: unknown, algorithm: KeyAlgorithm, owner: string, field: string, problems: Problems, seenKeys: Map<string, string>): void {
  const label = `${owner}: "${field}"`;
  try {
    decodePublicKey(value as string, algorithm, label);
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    return problems.add(error.message);
  }
  // One key, one holder: a shared key would make signatures and encryption ambiguous.
  const previous = seenKeys.get(value as string);
  if (previous !== undefined) problems.add(`${label} is the same key as ${previous}`);
  else seenKeys.set(value as string, `the ${field} of ${owner}`);
}

function checkApiUrl(value: unknown, label: string, problems: Problems): void {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    return problems.add(`${label}: "apiUrl" must be an http(s) URL without credentials, query or fragment`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    problems.add(`${label}: "apiUrl" must use https (plain http is only allowed on loopback for local runs)`);
  }
}

function checkHostPort(value: unknown, label: string, problems: Problems): void {
  const match = typeof value === 'string' ? HOST_PORT.exec(value) : null;
  const port = match?.groups ? Number(match.groups.port) : 0;
  if (!match || port < 1 || port > 65535) problems.add(`${label}: "mpcAddress" must be host:port with a port from 1 to 65535`);
}

function normaliseFingerprint(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (FINGERPRINT_HEX.test(lower)) return lower;
  if (FINGERPRINT_COLONS.test(lower)) return lower.replaceAll(':', '');
  return undefined;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function onlyFields(value: Json, allowed: readonly string[], where: string, problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.add(`${where}: unknown field "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
