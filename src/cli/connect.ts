/**
 * Which collaboration, identity and node a data command uses: `--cluster DIR --as PARTY` for a
 * local cluster (its collaboration, CA and the party's key file), or `--collaboration FILE
 * --key FILE [--ca FILE]` for any other; `--node` picks the node (default 0).
 */

import { Option, type Command } from 'commander';
import type { Tessera } from '../client/tessera.js';
import { UsageError } from '../errors.js';

export interface ConnectionFlags {
  readonly cluster?: string;
  readonly as?: string;
  readonly collaboration?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly node?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--cluster <dir>', 'local cluster directory (from cluster init)').env('TESSERA_CLUSTER'))
    .addOption(new Option('--as <party>', 'act as this party of the local cluster (name or key-file name)').env('TESSERA_AS'))
    .option('--collaboration <file>', 'collaboration file (instead of --cluster)')
    .option('--key <file>', 'your private key file (instead of --as)')
    .option('--ca <file>', 'cluster CA certificate (optional: node certificates are pinned anyway)')
    .option('--node <node>', 'node index (0, 1, 2) or name to talk to', '0');
}

export interface Connected {
  readonly client: Tessera;
  /** The party acting, as the collaboration names it. */
  readonly party: string;
  /** Resolves a party name as typed (case, key-file name) to the collaboration's spelling. */
  resolveParty(name: string): string;
}

export async function connectWithFlags(flags: ConnectionFlags): Promise<Connected> {
  const { Tessera } = await import('../client/tessera.js');
  const node = /^[0-2]$/.test(flags.node ?? '0') ? Number(flags.node ?? '0') : (flags.node as string);
  if (flags.cluster !== undefined) {
    const { LocalCluster } = await import('./cluster/layout.js');
    const local = await LocalCluster.load(flags.cluster);
    if (flags.key === undefined && flags.as === undefined) {
      throw new UsageError(`say which party you are with --as; the parties of this cluster are ${local.file.parties.map((p) => `'${p.name}'`).join(', ')}`);
    }
    const key = flags.key ?? local.path(local.party(flags.as as string).key);
    const client = await Tessera.connect({ collaboration: flags.collaboration ?? local.collaborationPath, identity: key, ca: flags.ca ?? local.caPath, node });
    return connected(client, (name) => local.party(name).name);
  }
  if (flags.collaboration === undefined || flags.key === undefined) {
    throw new UsageError('name the cluster and your party with --cluster DIR --as PARTY, or the collaboration file and your key with --collaboration FILE --key FILE');
  }
  const client = await Tessera.connect({ collaboration: flags.collaboration, identity: flags.key, ...(flags.ca ? { ca: flags.ca } : {}), node });
  const parties = client.collaboration.parties;
  return connected(client, (name) => parties.find((p) => p.name === name)?.name ?? parties.find((p) => p.name.toLowerCase() === name.toLowerCase())?.name ?? name);
}

function connected(client: Tessera, resolveParty: (name: string) => string): Connected {
  if (!client.party) throw new UsageError('this command needs a party identity');
  return { client, party: client.party.name, resolveParty };
}
