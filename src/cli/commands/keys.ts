/** `tessera keys new`: a party's keys, private (0600) and public, and what to do with them. */

import { join, relative, resolve } from 'node:path';
import { access, mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { createIdentifierKey, saveIdentifierKey } from '../../crypto/identifier-key.js';
import { createIdentity, publicIdentity, saveIdentity, savePublicIdentity } from '../../crypto/identity.js';
import { KeyFileError } from '../../errors.js';
import { partySlug } from '../cluster/parties.js';
import type { Console } from '../output.js';

export function registerKeysCommands(program: Command, io: Console): void {
  const keys = program.command('keys').description('party keys: signing (Ed25519) and encryption (X25519)');
  keys
    .command('new')
    .description('create keys for a party: a private key file (mode 0600) and a public identity to hand to the collaboration organiser')
    .requiredOption('--name <name>', 'the party\'s name as the collaboration will list it, e.g. "St. Mary Hospital"')
    .option('--out <dir>', 'directory for the two files', '.')
    .addHelpText('after', '\nExample:\n  tessera keys new --name "St. Mary Hospital" --out ~/.tessera\n  → st-mary-hospital.key.json (private) and st-mary-hospital.pub.json (public)')
    .action(async (options: { name: string; out: string }) => {
      const identity = createIdentity(options.name);
      const dir = resolve(options.out);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const slug = partySlug(options.name);
      const keyPath = join(dir, `${slug}.key.json`);
      const pubPath = join(dir, `${slug}.pub.json`);
      const pub = publicIdentity(identity);
      // Check both before writing either, so a refusal leaves no half-made pair behind.
      for (const path of [keyPath, pubPath]) {
        if (await exists(path)) throw new KeyFileError(path, `${path} already exists; keep the old keys, or choose another --name or --out`);
      }
      await saveIdentity(identity, keyPath);
      await savePublicIdentity(pub, pubPath);
      const s = io.style;
      const shown = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p) || p);
      io.line(`Created keys for ${s.bold(`'${options.name}'`)}`);
      io.line(`  private key file  ${shown(keyPath)}  (mode 0600; never share it: it signs your requests and opens your results)`);
      io.line(`  public identity   ${shown(pubPath)}`);
      io.line(`  fingerprint       ${s.cyan(pub.fingerprint)}`);
      io.line('');
      io.line('Next:');
      io.line(`  1. Send ${shown(pubPath)} to the collaboration's organiser, and read them the fingerprint over another channel (a call) so nobody can swap the key on the way.`);
      io.line('  2. Once the collaboration file lists you, use the private key file with the SDK (Tessera.connect({ identity })) or the CLI (--key).');
    });

  keys
    .command('identifier')
    .description("create the data owners' shared identifier key: identifier columns are hashed with it, so equal ids match across owners and the nodes cannot test guesses")
    .requiredOption('--out <file>', 'where to write it (mode 0600; refuses to replace a file)')
    .addHelpText('after', '\nExample:\n  tessera keys identifier --out ids.key.json\n  tessera upload patients patients.csv --column patient:identifier --identifier-key ids.key.json --cluster ./cluster --as "St. Mary Hospital"')
    .action(async (options: { out: string }) => {
      const path = resolve(options.out);
      await saveIdentifierKey(createIdentifierKey(), path);
      io.line(`Created the identifier key ${options.out} (mode 0600)`);
      io.line('');
      io.line('Next:');
      io.line('  1. Give a copy to every other data owner of the collaboration, in person or by encrypted message. Never to a node operator or an analyst: with the key, a guessed identifier can be tested.');
      io.line('  2. Each owner uploads tables with identifier columns with it: tessera upload ... --identifier-key FILE (SDK: Tessera.connect({ identifierKey: await loadIdentifierKey(FILE) })).');
    });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
