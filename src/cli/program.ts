/**
 * The `tessera` program: its commands (one module per group in ./commands, each keeping its
 * heavy imports inside its action, so that `tessera --help` and small commands start quickly),
 * error reporting and exit codes.
 */

import { Command, CommanderError } from 'commander';
import { TesseraError } from '../errors.js';
import { TESSERA_VERSION } from '../node/version.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerDataCommands } from './commands/data.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerGovernanceCommands } from './commands/governance.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerNodeCommand } from './commands/node.js';
import { registerSqlCommands } from './commands/sql.js';
import { registerStatsCommands } from './commands/stats.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor } from './errors.js';
import { makeConsole, type Console } from './output.js';

export function buildProgram(io: Console): Command {
  const program = new Command()
    .name('tessera')
    .description('Compute on combined sensitive data without revealing it: three compute nodes hold secret shares; only named recipients can open results.')
    .version(TESSERA_VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => void io.out.write(s), writeErr: (s) => void io.err.write(s) })
    .exitOverride();
  registerDemoCommand(program, io);
  registerKeysCommands(program, io);
  registerClusterCommands(program, io);
  registerNodeCommand(program, io);
  registerDataCommands(program, io);
  registerSqlCommands(program, io);
  registerStatsCommands(program, io);
  registerGovernanceCommands(program, io);
  program.addHelpText(
    'after',
    `
Start here:
  tessera demo                                     both use cases, three nodes in this process
  tessera cluster init ./cluster && tessera cluster up ./cluster
  tessera demo --cluster ./cluster                 the same against three node processes

Exit codes: 0 ok, 1 failed or refused, 2 bad usage or input, 3 a node or the cluster is not reachable.
Documentation: docs/cli.md`,
  );
  // Every subcommand reports usage errors through exitOverride too.
  for (const command of program.commands) applyRecursively(command, (c) => c.exitOverride().showHelpAfterError('(add --help for usage)'));
  return program;
}

function applyRecursively(command: Command, apply: (c: Command) => void): void {
  apply(command);
  for (const sub of command.commands) applyRecursively(sub, apply);
}

export async function runCli(argv: readonly string[], io: Console = makeConsole()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return io.exitCode ?? EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with "errors" whose exit code is 0; commander printed the rest.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    reportError(io, error);
    return exitCodeFor(error);
  }
}

export function reportError(io: Console, error: unknown): void {
  const s = io.errStyle;
  if (error instanceof TesseraError) {
    io.error(`${s.red('error')} ${s.dim(`(${error.code})`)}: ${error.message}`);
    return;
  }
  // Not ours: a bug. Its message may quote data it came across, so show it only when asked.
  const name = error instanceof Error ? error.name : typeof error;
  if (process.env.TESSERA_DEBUG) io.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  io.error(`${s.red('error')}: unexpected ${name}; this is a bug in tessera. Run again with TESSERA_DEBUG=1 for details, and report it.`);
}
