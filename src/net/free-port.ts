/**
 * Ports that are free on this machine now, for configuration files that must name a port before
 * anything listens on it (a collaboration lists every node's address).
 *
 * They are drawn at random from below the kernel's ephemeral range (Linux:
 * /proc/sys/net/ipv4/ip_local_port_range, usually 32768-60999). A port from inside that range,
 * as `listen(0)` hands out, can be taken by any outgoing connection on the machine between the
 * moment it is picked and the moment the node listens, or while a node is stopped; a port below
 * it is only ever taken by a program that listens on it. Another process may still take one
 * first, so callers handle "cannot listen".
 */

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

const LOWEST = 10_000;
const ATTEMPTS_PER_PORT = 50;

/** The first port of the ephemeral range (32768 when it cannot be read: the usual Linux default; IANA's is 49152). */
function ephemeralStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(start) && start > LOWEST + 1000) return start;
  } catch {
    // not Linux
  }
  return 32_768;
}

function listenOn(port: number, host: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** `count` distinct free ports (held open together while picking, so they differ). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const top = ephemeralStart() - 1;
  const held: Server[] = [];
  try {
    for (let attempt = 0; held.length < count && attempt < count * ATTEMPTS_PER_PORT; attempt++) {
      const server = await listenOn(LOWEST + Math.floor(Math.random() * (top - LOWEST + 1)), host);
      if (server) held.push(server);
    }
    // Crowded below the ephemeral range (unlikely): take what the kernel offers.
    while (held.length < count) {
      const server = await listenOn(0, host);
      if (!server) throw new Error(`cannot listen on ${host}`);
      held.push(server);
    }
    return held.map(portOf);
  } finally {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return (await freePorts(1, host))[0];
}
