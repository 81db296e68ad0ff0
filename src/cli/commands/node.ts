/**
 * `tessera node --config FILE`: one compute node in the foreground (what `cluster up` runs in
 * the background). Logs JSON lines to stdout; SIGTERM or SIGINT stop it cleanly.
 */

import type { Command } from 'commander';
import type { Console } from '../output.js';

export function registerNodeCommand(program: Command, _io: Console): void {
  program
    .command('node')
    .description('run one compute node in the foreground (logs JSON lines to stdout; stop with Ctrl-C or SIGTERM)')
    .requiredOption('--config <file>', 'the node configuration (node.json; see docs/system.md)')
    .option('--no-warm-up', 'skip the start-up warm-up (listen at once; the first query then pays the compilation of the MPC kernels)')
    .action(async (options: { config: string; warmUp: boolean }) => {
      const { startNodeFromConfig } = await import('../../node/main.js');
      const node = await startNodeFromConfig(options.config, options.warmUp ? {} : { warmUp: false });
      await new Promise<void>((resolve, reject) => {
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          node.close().then(resolve, reject);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      // Closed cleanly; exit now, as the node's own entry point does, so that nothing a library
      // left scheduled (a keep-alive timer) can keep a stopped node's process alive.
      process.exit(0);
    });
}
