/**
 * Governance commands (docs/governance.md):
 *   tessera script record "<SELECT>"... --to R --out script.json [--valid-until T] [--max-runs N] [--title T] [--epsilon ε | --rho ρ] [--design]
 *   tessera script show script.json
 *   tessera script submit script.json            (the analyst; sent to every node)
 *   tessera script approve script.json|HASH      (a representative; sent to every node)
 *   tessera script revoke script.json|HASH
 *   tessera script run script.json               (the analyst: the script's steps, in order)
 *   tessera audit show [--node N]                one node's log, entry by entry
 *   tessera audit verify [--logs a b c]          chains, signatures and the cross-check of the three logs
 *   tessera receipt fetch QUERY --out-result result.json --out-receipt receipt.json
 *   tessera receipt verify result.json receipt.json --collaboration FILE
 */

import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { FormatError, IntegrityError, UsageError } from '../../errors.js';
import type { Script } from '../../governance/script.js';
import { addConnectionOptions, connectWithFlags, type ConnectionFlags } from '../connect.js';
import type { Console } from '../output.js';
import { addPrivacyOptions, privacyFromFlags, type PrivacyFlags } from '../privacy-options.js';
import { DUMMY_MARK } from '../format-result.js';

type RecordFlags = ConnectionFlags & PrivacyFlags & { to: string; out: string; validUntil?: string; validFrom?: string; maxRuns?: string; title?: string; design?: boolean };

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} '${path}' (${(error as NodeJS.ErrnoException).code ?? 'I/O error'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FormatError(`the ${what} '${path}' is not JSON`);
  }
}

export function registerGovernanceCommands(program: Command, io: Console): void {
  const script = program.command('script').description('scripts: record an analysis, show it, submit it, approve or revoke it, run it (docs/governance.md)');
  addPrivacyOptions(addConnectionOptions(script.command('record')))
    .description('record SQL statements as the steps of a script (nothing runs on real data; with --design each step also runs on the dummy tables)')
    .argument('<statement...>', 'SELECT statements, one per step, in order')
    .requiredOption('--to <recipient,...>', 'who receives every step\'s result')
    .requiredOption('--out <file>', 'where to write the script')
    .option('--valid-from <time>', 'ISO time the script becomes valid (default now)')
    .option('--valid-until <time>', 'ISO time the script expires (default: in 30 days)')
    .option('--max-runs <n>', 'how many times the whole script may run', '1')
    .option('--title <text>', 'a title for the people approving it')
    .option('--design', 'also run each step on the dummy tables while recording, and print its dummy result')
    .action(async (statements: string[], flags: RecordFlags) => {
      const { sqlToFrame } = await import('../../client/sql/sql-frame.js');
      const connected = await connectWithFlags(flags);
      try {
        const client = connected.client;
        const to = list(flags.to).map(connected.resolveParty);
        const recorder = client.recordScript({
          validUntil: flags.validUntil ?? new Date(Date.now() + 30 * 86_400_000).toISOString(),
          ...(flags.validFrom ? { validFrom: flags.validFrom } : {}),
          maxRuns: Number(flags.maxRuns ?? '1'),
          ...(flags.title ? { title: flags.title } : {}),
        });
        const privacy = privacyFromFlags(flags);
        if (flags.design) client.design();
        for (const [i, statement] of statements.entries()) {
          const handle = await client.run((await sqlToFrame(statement, (name) => client.table(name))).toPlan({ to, ...(privacy ? { privacy } : {}) }));
          if (!flags.design) continue;
          const info = await handle.wait();
          const shown = info.recipients.includes(connected.party) ? JSON.stringify((await handle.result()).table, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) : '(opened by its recipients)';
          io.line(`step ${i + 1} on dummy tables: query ${handle.id} ${shown}  [${DUMMY_MARK}]`);
        }
        const recorded = recorder.finish();
        await writeFile(flags.out, JSON.stringify(recorded, null, 2) + '\n');
        const { describeScript } = await import('../../governance/script.js');
        io.line(describeScript(recorded));
      } finally {
        await connected.client.close();
      }
    });
  script
    .command('show')
    .description('print a script for a person: what runs on which tables, what each step opens to whom')
    .argument('<script.json>')
    .requiredOption('--collaboration <file>', 'the collaboration file (the script is checked against it)')
    .action(async (path: string, flags: { collaboration: string }) => {
      const { Collaboration } = await import('../../governance/collaboration.js');
      const { describeScript, validateScript } = await import('../../governance/script.js');
      io.line(describeScript(validateScript(await readJson(path, 'script'), await Collaboration.load(flags.collaboration))));
    });
  addConnectionOptions(script.command('submit'))
    .description('send your script to every node')
    .argument('<script.json>')
    .action(async (path: string, flags: ConnectionFlags) => {
      await withClient(flags, async (c) => io.line(`script ${await c.client.submitScript((await readJson(path, 'script')) as Script)} is registered at every node`));
    });
  for (const kind of ['approve', 'revoke'] as const) {
    addConnectionOptions(script.command(kind))
      .description(kind === 'approve' ? 'sign your approval of a script and send it to every node' : 'withdraw your approval of a script at every node, for good')
      .argument('<script>', 'the script file, or its hash')
      .action(async (target: string, flags: ConnectionFlags) => {
        await withClient(flags, async (c) => {
          const { scriptHash } = await import('../../governance/script.js');
          const hash = /^[0-9a-f]{64}$/.test(target) ? target : scriptHash((await readJson(target, 'script')) as Script);
          if (kind === 'approve') await c.client.approveScript(hash);
          else await c.client.revokeScript(hash);
          io.line(`${c.party} ${kind === 'approve' ? 'approved' : 'revoked its approval of'} script ${hash} at every node`);
        });
      });
  }
  addConnectionOptions(script.command('run'))
    .description('run the script\'s steps in order (the analyst); prints each result this party receives')
    .argument('<script.json>')
    .action(async (path: string, flags: ConnectionFlags) => {
      await withClient(flags, async (c) => {
        const { scriptHash } = await import('../../governance/script.js');
        const value = (await readJson(path, 'script')) as Script;
        const hash = scriptHash(value);
        for (const [i, step] of value.steps.entries()) {
          const handle = await c.client.run(step.plan, { script: hash });
          const info = await handle.wait();
          const shown = info.recipients.includes(c.party) ? JSON.stringify((await handle.result()).table, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) : '(opened by its recipients)';
          io.line(`step ${i + 1}: query ${handle.id} ${shown}`);
        }
      });
    });

  program
    .command('policy')
    .description('the collaboration\'s governance policy')
    .command('sign')
    .description('add your signature (an approver of an owner) to the policy in a collaboration file; every policy change needs the owners\' approvers to sign again')
    .argument('<collaboration.json>')
    .requiredOption('--key <file>', 'your private key file')
    .action(async (path: string, flags: { key: string }) => {
      const { loadIdentity } = await import('../../crypto/identity.js');
      const { encodePublicKey } = await import('../../crypto/keys.js');
      const { signPolicy, validateGovernance } = await import('../../governance/policy.js');
      const file = (await readJson(path, 'collaboration file')) as { id: string; parties: { name: string; roles: string[]; signingKey: string }[]; governance?: { signatures?: unknown[] } };
      const identity = await loadIdentity(flags.key);
      const problems: string[] = [];
      const governance = validateGovernance(file.governance, file.id, file.parties ?? [], problems, false);
      if (!governance) throw new FormatError(`the policy is not valid: ${problems.join('; ')}`);
      const signature = signPolicy(file.id, governance, identity.signingPrivateKey);
      const keyid = encodePublicKey(identity.signingPublicKey);
      const signatures = [...governance.signatures.filter((s) => s.keyid !== keyid), signature];
      await writeFile(path, JSON.stringify({ ...file, governance: { ...file.governance, signatures } }, null, 2) + '\n');
      io.line(`signed the policy of '${file.id}' (${signatures.length} signature${signatures.length === 1 ? '' : 's'} now)`);
    });

  const audit = program.command('audit').description('the nodes\' audit logs (docs/governance.md, "Audit")');
  addConnectionOptions(audit.command('show'))
    .description('print the connected node\'s audit log')
    .action(async (flags: ConnectionFlags) => {
      await withClient(flags, async (c) => {
        for (const line of (await c.client.auditLog()).split('\n').filter((l) => l)) {
          const { entry } = JSON.parse(line) as { entry: Record<string, unknown> };
          const { seq, at, event, prev: _p, node: _n, ...rest } = entry;
          io.line(`${String(seq).padStart(5)} ${String(at)} ${String(event)} ${JSON.stringify(rest)}`);
        }
      });
    });
  addConnectionOptions(audit.command('verify'))
    .description('check each node\'s chain and signatures and cross-check the three logs (fetched from the nodes, or --logs files)')
    .option('--logs <files...>', 'three log files (node 0, 1, 2) instead of asking the nodes')
    .action(async (flags: ConnectionFlags & { logs?: string[] }) => {
      const { crossCheck, verifyChain } = await import('../../governance/audit.js');
      let texts: string[];
      let collaboration;
      if (flags.logs) {
        if (flags.logs.length !== 3) throw new UsageError('--logs takes the three nodes\' logs, node 0 first');
        const { Collaboration } = await import('../../governance/collaboration.js');
        if (!flags.collaboration) throw new UsageError('name the collaboration file with --collaboration');
        collaboration = await Collaboration.load(flags.collaboration);
        texts = await Promise.all(flags.logs.map((f) => readFile(f, 'utf8')));
      } else {
        const got = await withClient(flags, async (c) => {
          const logs: string[] = [];
          for (const node of [0, 1, 2]) {
            const other = await connectWithFlags({ ...flags, node: String(node) });
            try {
              logs.push(await other.client.auditLog());
            } finally {
              await other.client.close();
            }
          }
          return { logs, collaboration: c.client.collaboration };
        });
        texts = got.logs;
        collaboration = got.collaboration;
      }
      const reports = texts.map((t, i) => verifyChain(t, collaboration, i as 0 | 1 | 2));
      const problems = [...reports.flatMap((r) => r.problems), ...crossCheck(reports)];
      for (const r of reports) io.line(`${r.node}: ${r.entries.length} entries`);
      if (problems.length > 0) throw new IntegrityError(`the audit logs do not verify:\n  ${problems.join('\n  ')}`);
      io.line('every chain and signature verifies, and the three logs agree');
    });

  const receipt = program.command('receipt').description('result receipts signed by the three nodes (docs/governance.md, "Receipts")');
  addConnectionOptions(receipt.command('fetch'))
    .description('fetch a result you receive with its receipt, to show to a third party')
    .argument('<query>')
    .requiredOption('--out-result <file>')
    .requiredOption('--out-receipt <file>')
    .action(async (query: string, flags: ConnectionFlags & { outResult: string; outReceipt: string }) => {
      await withClient(flags, async (c) => {
        const { resultFile, receipt: r } = await c.client.resultWithReceipt(query);
        await writeFile(flags.outResult, JSON.stringify(resultFile, null, 2) + '\n');
        await writeFile(flags.outReceipt, JSON.stringify(r, null, 2) + '\n');
        io.line(`wrote ${flags.outResult} and ${flags.outReceipt}`);
      });
    });
  receipt
    .command('verify')
    .description('check that a result came from the approved computation the receipt names (needs only the collaboration file)')
    .argument('<result.json>')
    .argument('<receipt.json>')
    .requiredOption('--collaboration <file>')
    .action(async (resultPath: string, receiptPath: string, flags: { collaboration: string }) => {
      const { Collaboration } = await import('../../governance/collaboration.js');
      const { verifyReceipt } = await import('../../governance/receipt.js');
      const collaboration = await Collaboration.load(flags.collaboration);
      const checked = verifyReceipt(collaboration, (await readJson(resultPath, 'result file')) as never, (await readJson(receiptPath, 'receipt')) as never);
      io.line(`receipt verified: query ${checked.query}, plan ${checked.plan}`);
      io.line(`  script ${checked.script ?? '(none: ungoverned collaboration)'}${checked.step !== null ? `, step ${checked.step + 1}` : ''}`);
      io.line(`  approved by ${checked.approvers.join(', ') || '(no approvals needed)'}; tables ${checked.tables.join(', ')}; opened to ${checked.recipients.join(', ')}`);
    });
}

async function withClient<T>(flags: ConnectionFlags, use: (c: Awaited<ReturnType<typeof connectWithFlags>>) => Promise<T>): Promise<T> {
  const connected = await connectWithFlags(flags);
  try {
    return await use(connected);
  } finally {
    await connected.client.close();
  }
}
