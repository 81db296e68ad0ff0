/**
 * Requests between nodes over the mesh's control session: request/response with ids, a deadline
 * per call, and typed errors carried across ({ code, message } rebuilt into the same class).
 *
 * Every message is one wire frame (wire/frames.ts): a JSON header
 *   { "rpc": "req", "id": 7, "method": "upload.stage", "body": {...} }
 *   { "rpc": "res", "id": 7, "body": {...} }
 *   { "rpc": "err", "id": 7, "code": "TABLE_EXISTS", "message": "..." }
 * and binary parts (envelopes, share data) that never pass through JSON.
 *
 * Calls belong to one mesh generation: when that mesh goes down, every pending call to a peer
 * fails at once with NodeUnavailableError naming the peer, instead of waiting for its deadline.
 */

import { errorFromWire, NodeUnavailableError, PeerTimeoutError, ProtocolError, TesseraError } from '../errors.js';
import type { PartyId } from '../mpc/party.js';
import { decodeFrame, encodeFrame, frameHeaderBytes, MAX_PEER_MESSAGE_PARTS } from '../wire/frames.js';
import type { MeshManager } from './mesh/mesh-manager.js';

export interface RpcReply {
  readonly body: unknown;
  readonly parts: readonly Uint8Array[];
}

export interface RpcRequest {
  readonly from: PartyId;
  readonly body: unknown;
  readonly parts: readonly Uint8Array[];
}

export type RpcHandler = (request: RpcRequest) => Promise<{ body: unknown; parts?: readonly Uint8Array[] }>;

interface Pending {
  readonly peer: PartyId;
  readonly generation: number;
  readonly method: string;
  resolve(reply: RpcReply): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

interface WireHeader {
  readonly rpc: 'req' | 'res' | 'err';
  readonly id: number;
  readonly method?: string;
  readonly body?: unknown;
  readonly code?: string;
  readonly message?: string;
}

export interface PeerRpcOptions {
  readonly describe: (p: PartyId) => string;
  readonly timeoutMs: number;
  /** Told about handler failures that are not Tessera errors (bugs), for the node's log. */
  readonly onHandlerBug?: (method: string, error: unknown) => void;
}

export class PeerRpc {
  private readonly handlers = new Map<string, RpcHandler>();
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  constructor(
    private readonly mesh: MeshManager,
    private readonly options: PeerRpcOptions,
  ) {}

  handle(method: string, handler: RpcHandler): void {
    this.handlers.set(method, handler);
  }

  /**
   * Calls `method` at `peer`. Fails at once if the mesh is down, or with the mesh of
   * `generation` gone when one is given (a multi-step flow stays on the mesh it started on).
   * The answer is awaited `timeoutMs`, counted from now or, with `timeoutAfter`, from when that
   * promise settles: a peer's part of a long computation has no deadline of its own while the
   * caller's part runs (which fails by itself when a peer falls silent), only once it is over.
   */
  async call(peer: PartyId, method: string, body: unknown, parts: readonly Uint8Array[] = [], options: { timeoutMs?: number; generation?: number; timeoutAfter?: Promise<unknown> } = {}): Promise<RpcReply> {
    const party = this.mesh.requireParty();
    const generation = this.mesh.generation;
    if (options.generation !== undefined && options.generation !== generation) {
      throw new NodeUnavailableError(`the connection to ${this.options.describe(peer)} was re-established in the middle of this request; retry it`);
    }
    const id = this.nextId++;
    const key = `${peer}:${id}`;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const reply = new Promise<RpcReply>((resolve, reject) => {
      const pending: Pending = { peer, generation, method, resolve, reject };
      const counted = options.timeoutAfter ? " after this node's own part ended" : '';
      const start = (): void => {
        if (this.pending.get(key) !== pending) return; // settled meanwhile
        pending.timer = setTimeout(() => {
          this.pending.delete(key);
          reject(new PeerTimeoutError(`${this.options.describe(peer)} did not answer '${method}' within ${timeoutMs} ms${counted}; it may be overloaded or stuck`));
        }, timeoutMs);
      };
      this.pending.set(key, pending);
      if (options.timeoutAfter) options.timeoutAfter.then(start, start);
      else start();
    });
    try {
      await party.sendControl(peer, encodeFrame({ rpc: 'req', id, method, body }, parts));
    } catch (error) {
      this.settle(key, undefined, this.unreachable(peer, error));
    }
    return reply;
  }

  /** Feeds a control-session message (from the mesh manager). */
  receive(from: PartyId, payload: Uint8Array, generation: number): void {
    let header: WireHeader;
    let parts: readonly Uint8Array[];
    try {
      const frame = decodeFrame(payload, 'peer message', MAX_PEER_MESSAGE_PARTS);
      header = frame.header as WireHeader;
      parts = frame.parts;
      if (typeof header !== 'object' || header === null || typeof header.id !== 'number') throw new ProtocolError('peer message without an id');
    } catch (error) {
      // A request whose header is readable is answered with the reason, so its caller fails at
      // once instead of waiting for its deadline; anything else cannot be answered.
      const id = readableRequestId(payload);
      if (id !== undefined) {
        const message = error instanceof TesseraError ? error.message : 'the peer message could not be decoded';
        void this.answer(from, encodeFrame({ rpc: 'err', id, code: 'PROTOCOL', message }), generation);
      }
      return;
    }
    if (header.rpc === 'req') {
      void this.serve(from, header, parts, generation);
      return;
    }
    const key = `${from}:${header.id}`;
    if (header.rpc === 'res') this.settle(key, { body: header.body, parts });
    else if (header.rpc === 'err') this.settle(key, undefined, errorFromWire(String(header.code), String(header.message)));
  }

  /**
   * The mesh of `generation` is gone, because of node `lost` when known: fail every call made on
   * it, naming `lost` (not the live peer whose call was merely cut off with the mesh).
   */
  meshDown(generation: number, error: Error, lost?: PartyId): void {
    for (const [key, p] of this.pending) {
      if (p.generation === generation) this.settle(key, undefined, this.unreachable(p.peer, error, lost));
    }
  }

  private unreachable(peer: PartyId, cause: unknown, lost: PartyId = peer): NodeUnavailableError {
    const { describe } = this.options;
    const message =
      lost === peer
        ? `${describe(peer)} became unreachable during the request; retry once it is back`
        : `${describe(lost)} became unreachable during the request, which cut off the connection to ${describe(peer)} too (the three nodes connect all together); retry once it is back`;
    return new NodeUnavailableError(message, { cause, node: lost });
  }

  private settle(key: string, reply: RpcReply | undefined, error?: Error): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(reply!);
  }

  private async serve(from: PartyId, header: WireHeader, parts: readonly Uint8Array[], generation: number): Promise<void> {
    const method = String(header.method);
    let answer: Uint8Array;
    try {
      const handler = this.handlers.get(method);
      if (!handler) throw new ProtocolError(`this node does not know the peer request '${method}': are all nodes running the same version?`);
      const result = await handler({ from, body: header.body, parts });
      answer = encodeFrame({ rpc: 'res', id: header.id, body: result.body }, result.parts ?? []);
    } catch (error) {
      let code = 'INTERNAL';
      let message = 'internal error at the peer node (see its log)';
      if (error instanceof TesseraError) {
        code = error.code;
        message = error.message;
      } else {
        this.options.onHandlerBug?.(method, error);
      }
      answer = encodeFrame({ rpc: 'err', id: header.id, code, message });
    }
    await this.answer(from, answer, generation);
  }

  private async answer(to: PartyId, answer: Uint8Array, generation: number): Promise<void> {
    // The answer is only meaningful on the mesh the request came on.
    if (this.mesh.generation !== generation) return;
    try {
      await this.mesh.requireParty().sendControl(to, answer);
    } catch {
      // The link went down: the caller's mesh-down handling fails its call.
    }
  }
}

/** The id of a request whose frame header is readable JSON, even if the rest of the frame is not. */
function readableRequestId(payload: Uint8Array): number | undefined {
  try {
    if (payload.byteLength < 8) return undefined;
    const header = JSON.parse(Buffer.from(frameHeaderBytes(payload)).toString('utf8')) as Partial<WireHeader>;
    return header.rpc === 'req' && typeof header.id === 'number' ? header.id : undefined;
  } catch {
    return undefined;
  }
}

