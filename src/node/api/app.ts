/**
 * The node's HTTPS API (fastify). Routes and bodies are defined in src/wire/api.ts; this file
 * wires them to the flows, validates requests with JSON schemas, turns every error into
 * { error: { code, message } } with the right status (error-replies.ts), checks each request
 * before its body is read (request-gate.ts), and logs one line per request (method, route,
 * table or query, status, duration, error code: never a body, header or value).
 */

import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { FormatError, TesseraError } from '../../errors.js';
import { CREDENTIAL_HEADER, ROUTES, type HealthResponse } from '../../wire/api.js';
import { FRAME_CONTENT_TYPE } from '../../wire/frames.js';
import type { NodeLimits, NodeTimeouts } from '../config.js';
import { forwardedRequest, type NodeContext } from '../context.js';
import { coordinateContribution, coordinateCreateAppend, schemaForContributor } from '../flows/append.js';
import { cancelQuery, collectResult, ownResultShare, queryStatus, submitQuery } from '../flows/query.js';
import { encodeResultFrame, resultJson, type ResultParts } from '../../wire/result-frame.js';
import { checkPlanOnly } from '../flows/plan-check.js';
import { coordinateDelete, getTable, listTables } from '../flows/tables.js';
import { coordinateUpload } from '../flows/upload.js';
import { BodyBudget } from './body-budget.js';
import { clientErrorHandler, describeError } from './error-replies.js';
import { readFrameBody } from './frame-body.js';
import { makeRequestGate, mustCloseAfter } from './request-gate.js';
import { makeBodyDeadline } from './body-deadline.js';
import { registerGovernanceRoutes } from '../flows/governance.js';
import { registerDesignRoutes } from '../flows/design.js';
import { damagedTableInfo, errorBody, routeSchemas, tableInfo } from './schemas.js';
import { TESSERA_VERSION } from '../version.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes as received (signatures cover them). */
    rawBody?: Buffer;
    /** Code of the error this request ended with, for the log line. */
    errorCode?: string;
  }
}

/** JSON bodies are small (queries, schemas); frames carry the data. */
export const JSON_BODY_LIMIT = 1 << 20;
/** JSON bodies and contributions held at once (a contribution is a few KB: thousands fit). */
export const SMALL_BODY_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
/** Longest path parameter: table names and query ids are far shorter; longer is refused with 414. */
const MAX_PARAM_LENGTH = 512;

export interface ApiOptions {
  readonly bodyLimitBytes: number;
  readonly limits: NodeLimits;
  readonly timeouts: Pick<NodeTimeouts, 'headersMs' | 'requestMs'>;
  /** PEM key and certificate; without them the API is plain HTTP (loopback only, for local runs). */
  readonly https?: { readonly key: string; readonly cert: string };
}

/** The running API and what tests and metrics can read of its bounds. */
export interface Api {
  readonly app: FastifyInstance;
  readonly budgets: { readonly uploads: BodyBudget; readonly smallBodies: BodyBudget };
}

export async function buildApi(ctx: NodeContext, options: ApiOptions): Promise<Api> {
  // Node's own server limits: slow or stalled clients are cut off (slowloris), headers are at most 16 KiB.
  const serverOptions = {
    headersTimeout: options.timeouts.headersMs,
    requestTimeout: 0, // api/body-deadline.ts: a deadline sized by the body, not one for every request
    connectionsCheckingInterval: Math.min(1000, options.timeouts.headersMs),
    maxHeaderSize: 16 * 1024,
  };
  const app = Fastify({
    loggerInstance: ctx.log,
    // One log line per request comes from the onResponse hook below, in our own words.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    // Keep client connections for many requests (contributions come one request at a time).
    keepAliveTimeout: 65_000,
    requestTimeout: 0,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => void replyError(request, reply, error),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    ...(options.https
      ? { https: { key: options.https.key, cert: options.https.cert, minVersion: 'TLSv1.3' as const, handshakeTimeout: options.timeouts.headersMs, ...serverOptions } }
      : { http: serverOptions }),
  }) as unknown as FastifyInstance;
  app.server.maxConnections = options.limits.connections;
  const budgets = {
    uploads: new BodyBudget(options.limits.bodyBytesInFlight, 'upload bodies'),
    smallBodies: new BodyBudget(SMALL_BODY_BYTES_IN_FLIGHT, 'request bodies'),
  };

  // Only JSON and frames: any other content type (text/plain included) is refused with 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    try {
      done(null, raw.byteLength === 0 ? undefined : JSON.parse(raw.toString('utf8')));
    } catch {
      done(new FormatError('the request body is not valid JSON'), undefined);
    }
  });
  // Frames are read by the plan the request gate set (their bounds), never buffered blindly.
  app.addContentTypeParser(FRAME_CONTENT_TYPE, (request, payload, done) => {
    const plan = request.framePlan;
    if (!plan || request.declaredLength === undefined) return done(unsupported(), undefined);
    readFrameBody(payload, request.declaredLength, plan).then(
      (body) => {
        request.rawBody = body;
        done(null, body);
      },
      (error: Error) => done(error, undefined),
    );
  });
  app.addHook('onRequest', makeBodyDeadline(ctx.log, options.timeouts.requestMs, options.bodyLimitBytes));
  app.addHook('onRequest', makeRequestGate(ctx, { jsonBodyLimit: JSON_BODY_LIMIT, uploadBodyLimit: options.bodyLimitBytes, ...budgets }));
  app.addHook('onSend', (request, reply, payload, done) => {
    // An answer given before the body was read (a refusal) must not read the rest of a large body.
    if (mustCloseAfter(request)) void reply.header('connection', 'close');
    done(null, payload);
  });

  app.addSchema(errorBody);
  app.addSchema(tableInfo);
  app.addSchema(damagedTableInfo);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tessera node API', version: TESSERA_VERSION, description: 'Client API of a Tessera compute node. See docs/system.md.' },
      components: {
        securitySchemes: {
          signedRequest: { type: 'apiKey', in: 'header', name: 'x-tessera-signature', description: 'Ed25519 request signature (docs/storage.md, "Signed statements and requests")' },
        },
      },
    },
  });

  const replyError = (request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply => {
    const { code, status, message } = describeError(error);
    request.errorCode = code;
    if (status >= 500 && !(error instanceof TesseraError)) {
      // A bug: log where it happened, not what it said (a third-party message may quote input).
      ctx.log.error({ route: request.routeOptions.url, errorType: (error as Error)?.name, stack: stackFrames(error) }, 'unexpected error');
    }
    return reply.code(status).send({ error: { code, message } });
  };
  app.setErrorHandler((error: unknown, request, reply) => void replyError(request, reply, error));
  app.setNotFoundHandler((request, reply) => {
    request.errorCode = 'NOT_FOUND';
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no such API route: ${request.method} ${request.url.split('?')[0]}` } });
  });
  app.addHook('onResponse', async (request, reply) => {
    // Thousands of contributions a second: build the line only when it will be written.
    if (!ctx.log.isLevelEnabled('info')) return;
    const params = request.params as { name?: string; query?: string } | undefined;
    ctx.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        ...(params?.name ? { table: params.name } : {}),
        ...(params?.query ? { query: params.query } : {}),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ...(request.errorCode ? { error: request.errorCode } : {}),
      },
      'request',
    );
  });

  const fwd = (request: FastifyRequest) => forwardedRequest(request.method, request.url, request.headers as Record<string, string | string[] | undefined>);
  const raw = (request: FastifyRequest): Buffer => request.rawBody ?? Buffer.alloc(0);

  // Health is asked often (every client connect): the table count comes from the store's index, not the disk.
  app.get(ROUTES.health, { schema: routeSchemas.health, config: { gate: 'open' } }, async (): Promise<HealthResponse> => {
    const up = ctx.mesh.isUp;
    return {
      status: up ? 'ok' : 'degraded',
      version: TESSERA_VERSION,
      node: { index: ctx.index, name: ctx.name },
      collaboration: { id: ctx.collaboration.id, hash: ctx.collaboration.hash },
      peers: ctx.peers.map((p) => ({ index: p, name: ctx.collaboration.node(p).name, connected: up })),
      tables: ctx.store.tableCount,
      ...(ctx.warmUp ? { warmUp: ctx.warmUp } : {}),
    };
  });
  app.get(ROUTES.openapi, { schema: { hide: true }, config: { gate: 'open' } }, async () => app.swagger());

  app.get(ROUTES.tables, { schema: routeSchemas.listTables, config: { gate: 'signed' } }, async (request) => {
    ctx.verifyRequest(ctx.me, { ...fwd(request), body: raw(request) });
    return listTables(ctx);
  });
  app.get('/v1/tables/:name', { schema: routeSchemas.getTable, config: { gate: 'signed' } }, async (request) => {
    ctx.verifyRequest(ctx.me, { ...fwd(request), body: raw(request) });
    return getTable(ctx, (request.params as { name: string }).name);
  });
  app.put('/v1/tables/:name', { schema: routeSchemas.putTable, config: { gate: 'upload' } }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw unsupported();
    const info = await coordinateUpload(ctx, (request.params as { name: string }).name, request.body, fwd(request));
    return reply.code(201).send(info);
  });
  app.delete('/v1/tables/:name', { schema: routeSchemas.deleteTable, config: { gate: 'signed' } }, async (request, reply) => {
    const party = ctx.verifyRequest(ctx.me, { ...fwd(request), body: raw(request) });
    await coordinateDelete(ctx, (request.params as { name: string }).name, party, fwd(request));
    return reply.code(204).send();
  });
  app.put('/v1/append-tables/:name', { schema: routeSchemas.putAppendTable, config: { gate: 'signed' } }, async (request, reply) => {
    const info = await coordinateCreateAppend(ctx, (request.params as { name: string }).name, raw(request), request.body, fwd(request));
    return reply.code(201).send(info);
  });
  app.get('/v1/append-tables/:name', { schema: routeSchemas.getAppendTable, config: { gate: 'credential' } }, async (request) => {
    const header = request.headers[CREDENTIAL_HEADER];
    return schemaForContributor(ctx, (request.params as { name: string }).name, typeof header === 'string' ? header : undefined);
  });
  app.post('/v1/append-tables/:name/rows', { schema: routeSchemas.contribute, config: { gate: 'contribution' } }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body) || !request.contributor) throw unsupported();
    const { created, ...response } = await coordinateContribution(ctx, (request.params as { name: string }).name, request.body, request.contributor);
    return reply.code(created ? 201 : 200).send(response);
  });
  app.post(ROUTES.queries, { schema: routeSchemas.postQuery, config: { gate: 'signed' } }, async (request, reply) => {
    const response = await submitQuery(ctx, raw(request), request.body, fwd(request));
    return reply.code(202).send(response);
  });
  app.post(ROUTES.planCheck, { schema: routeSchemas.checkPlan, config: { gate: 'signed' } }, async (request) => checkPlanOnly(ctx, raw(request), request.body, fwd(request)));
  app.get('/v1/queries/:query', { schema: routeSchemas.getQuery, config: { gate: 'signed' } }, async (request) => {
    return queryStatus(ctx, (request.params as { query: string }).query, fwd(request));
  });
  app.delete('/v1/queries/:query', { schema: routeSchemas.cancelQuery, config: { gate: 'signed' } }, async (request) => {
    return cancelQuery(ctx, (request.params as { query: string }).query, fwd(request));
  });
  // A client that accepts frames gets the envelopes as they are (wire/result-frame.ts); JSON (base64) otherwise.
  const answerResult = (request: FastifyRequest, reply: FastifyReply, result: ResultParts) =>
    acceptsFrame(request) ? reply.type(FRAME_CONTENT_TYPE).send(Buffer.from(encodeResultFrame(result))) : resultJson(result);
  app.get('/v1/results/:query', { schema: routeSchemas.getResult, config: { gate: 'signed' } }, async (request, reply) => {
    return answerResult(request, reply, await collectResult(ctx, (request.params as { query: string }).query, fwd(request)));
  });
  app.get('/v1/results/:query/share', { schema: routeSchemas.getResultShare, config: { gate: 'signed' } }, async (request, reply) => {
    return answerResult(request, reply, await ownResultShare(ctx, (request.params as { query: string }).query, fwd(request)));
  });
  registerGovernanceRoutes(app, ctx);
  registerDesignRoutes(app, ctx);
  return { app, budgets };
}

function unsupported(): TesseraError {
  return new TesseraError('UNSUPPORTED_MEDIA_TYPE', `send this body as ${FRAME_CONTENT_TYPE} (use the Tessera client)`);
}

/** The stack without its first line (the message). */
function stackFrames(error: unknown): string | undefined {
  const stack = (error as Error | undefined)?.stack;
  return stack?.split('\n').slice(1, 8).join('\n');
}


/** The request's accept header names the frame type (the Tessera client's result requests do). */
function acceptsFrame(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.split(',').some((t) => t.trim().split(';')[0] === FRAME_CONTENT_TYPE);
}
