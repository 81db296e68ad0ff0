/**
 * The JavaScript cost of one short message through StreamLink + Mailbox, in one thread, without
 * a socket: what the link adds between a protocol's send and the waiting receive's resolution,
 * apart from node's TLS socket (which bench/tls-ring.ts measures with it).
 *
 * A fake socket hands every write to the other link as a fresh Buffer (as node's 'data' events
 * do) and completes the write before the bytes arrive. Per round: send 8 bytes on link A, the
 * bytes arrive at link B, B's mailbox resolves the waiting receive. The reference loop does the
 * same with a bare byte counter and one promise per round: the figure is link minus reference.
 *
 *   node dist/bench/link-js.js [--rounds=200000] [--reps=7] [--bytes=8]
 */

import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Mailbox } from '../src/net/mailbox.js';
import { StreamLink } from '../src/net/stream-link.js';

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}

/** The part of a node socket StreamLink uses; writes go to `peer` as 'data'. */
class FakeSocket extends EventEmitter {
  peer: FakeSocket | undefined;
  writableEnded = false;
  destroyed = false;
  private done: ((error?: Error | null) => void) | undefined;
  private bytes: Buffer | undefined;

  write(chunk: Uint8Array, cb?: (error?: Error | null) => void): boolean {
    this.bytes = Buffer.from(chunk);
    this.done = cb;
    return true;
  }

  /** Completes the write (as node's TLS socket does a loop turn later), then delivers its bytes. */
  flush(): void {
    const cb = this.done;
    const bytes = this.bytes!;
    this.done = undefined;
    this.bytes = undefined;
    cb?.();
    this.peer!.emit('data', bytes);
  }

  end(): void {
    this.writableEnded = true;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

async function linkRounds(rounds: number, bytes: number): Promise<number> {
  const a = new FakeSocket();
  const b = new FakeSocket();
  a.peer = b;
  b.peer = a;
  const linkA = new StreamLink(a as unknown as Duplex, 'b');
  const linkB = new StreamLink(b as unknown as Duplex, 'a');
  new Mailbox(linkA);
  const boxB = new Mailbox(linkB);
  const payload = new Uint8Array(bytes);
  const t0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    linkA.send(1n, payload);
    const got = boxB.recv(1n, 60_000);
    a.flush();
    if ((await got).byteLength !== bytes) throw new Error('wrong length');
  }
  const c = process.cpuUsage(t0);
  return ((c.user + c.system) * 1000) / rounds;
}

async function referenceRounds(rounds: number, bytes: number): Promise<number> {
  const a = new FakeSocket();
  const b = new FakeSocket();
  a.peer = b;
  b.peer = a;
  let received = 0;
  let wake: ((n: number) => void) | undefined;
  b.on('data', (d: Buffer) => {
    received += d.byteLength;
    wake?.(received);
  });
  const payload = new Uint8Array(bytes);
  const t0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    a.write(payload);
    const got = new Promise<number>((resolve) => (wake = resolve));
    a.flush();
    if ((await got) !== received) throw new Error('lost bytes');
  }
  const c = process.cpuUsage(t0);
  return ((c.user + c.system) * 1000) / rounds;
}

const rounds = arg('rounds', 200_000);
const reps = arg('reps', 7);
const bytes = arg('bytes', 8);
const link: number[] = [];
const ref: number[] = [];
for (let i = 0; i < reps; i++) {
  ref.push(await referenceRounds(rounds, bytes));
  link.push(await linkRounds(rounds, bytes));
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1];
console.log(`${bytes}-byte message, ${rounds} rounds x ${reps}: CPU per round, median: link ${median(link).toFixed(0)} ns, reference ${median(ref).toFixed(0)} ns, link - reference ${(median(link) - median(ref)).toFixed(0)} ns`);
console.log(`  link ${link.map((x) => x.toFixed(0)).join(' ')}\n  ref  ${ref.map((x) => x.toFixed(0)).join(' ')}`);
