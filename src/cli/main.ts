#!/usr/bin/env node
/** `tessera`: the command line (commands in ./program.ts; docs/cli.md). */

import { exitQuietlyWhenOutputCloses } from './output.js';
import { runCli } from './program.js';

exitQuietlyWhenOutputCloses(process.stdout);
exitQuietlyWhenOutputCloses(process.stderr);

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tessera: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
