/** Runs the built `tessera` command as a user would, and collects its output and exit code. */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTessera(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env }, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && code === -1) return reject(new Error(`tessera ${args.join(' ')} did not finish: ${error.message}\n${stderr}`));
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs a command in this process (no process start-up, no module loading per call): for the
 * many short commands of a test. Output goes to buffers; nothing here touches process.exitCode.
 */
export async function runInProcess(args: readonly string[]): Promise<CliRun> {
  const { runCli } = await import('../../src/cli/program.js');
  const { makeConsole } = await import('../../src/cli/output.js');
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: [Buffer[], Buffer[]] = [[], []];
  out.on('data', (c: Buffer) => chunks[0].push(c));
  err.on('data', (c: Buffer) => chunks[1].push(c));
  const code = await runCli(args, makeConsole(out, err));
  return { code, stdout: Buffer.concat(chunks[0]).toString('utf8'), stderr: Buffer.concat(chunks[1]).toString('utf8') };
}

/** Runs `tessera ARGS` in this process and asserts its exit code; its output. */
export async function cliExpect(args: readonly string[], expectCode = 0): Promise<string> {
  const run = await runInProcess(args);
  assert.equal(run.code, expectCode, `tessera ${args.join(' ')}\n${run.stdout}\n${run.stderr}`);
  return run.stdout + run.stderr;
}
