/**
 * The node's HTTPS API (fastify). Routes and bodies are defined in src/wire/api.ts; this file
 * wires them to the flows, validates requests with JSON schemas, turns errors into
 * { error: { code, message } } with the right status, and logs one line per request (method,
 * route, table or query, status, duration, error code: never a body, header or value).
 */

import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { FormatError, TesseraError } from '../../errors.js';
import { CREDENTIAL_HEADER, ROUTES, type HealthResponse } from '../../wire/api.js';
import { FRAME_CONTENT_TYPE } from '../../wire/frames.js';
import { forwardedRequest, type NodeContext } from '../context.js';
import { coordinateContribution, coordinateCreateAppend, schemaForContributor } from '../flows/append.js';
import { coordinateQuery, collectResult, ownResultShare, queryStatus } from '../flows/query.js';
import { coordinateDelete, getTable, listTables } from '../flows/tables.js';
import { coordinateUpload } from '../flows/upload.js';
import { statusForCode } from './http-errors.js';
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
const JSON_BODY_LIMIT = 1 << 20;

export interface ApiOptions {
  readonly bodyLimitBytes: number;
  /** PEM key and certificate; without them the API is plain HTTP (loopback only, for local runs). */
  readonly https?: { readonly key: string; readonly cert: string };
}

export async function buildApi(ctx: NodeContext, options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log,
    // One log line per request comes from the onResponse hook below, in our own words.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: JSON_BODY_LIMIT,
    // Keep client connections for many requests (contributions come one request at a time).
    keepAliveTimeout: 65_000,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    ...(options.https ? { https: { key: options.https.key, cert: options.https.cert, minVersion: 'TLSv1.3' as const } } : {}),
  }) as unknown as FastifyInstance;

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    try {
      done(null, raw.byteLength === 0 ? undefined : JSON.parse(raw.toString('utf8')));
    } catch {
      done(new FormatError('the request body is not valid JSON'), undefined);
    }
  });
  app.addContentTypeParser(FRAME_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: options.bodyLimitBytes }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
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

  app.setErrorHandler((error: unknown, request, reply) => {
    const { code, status, message } = describeError(error);
    request.errorCode = code;
    if (status >= 500 && !(error instanceof TesseraError)) {
      // A bug: log where it happened, not what it said (a third-party message may quote input).
      ctx.log.error({ route: request.routeOptions.url, errorType: (error as Error)?.name, stack: stackFrames(error) }, 'unexpected error');
    }
    void reply.code(status).send({ error: { code, message } });
  });
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
  app.get(ROUTES.health, { schema: routeSchemas.health }, async (): Promise<HealthResponse> => {
    const up = ctx.mesh.isUp;
    return {
      status: up ? 'ok' : 'degraded',
      version: TESSERA_VERSION,
      node: { index: ctx.index, name: ctx.name },
      collaboration: { id: ctx.collaboration.id, hash: ctx.collaboration.hash },
      peers: ctx.peers.map((p) => ({ index: p, name: ctx.collaboration.node(p).name, connected: up })),
      tables: ctx.store.tableCount,
    };
  });
  app.get(ROUTES.openapi, { schema: { hide: true } }, async () => app.swagger());

  app.get(ROUTES.tables, { schema: routeSchemas.listTables }, async (request) => {
    ctx.verifyRequest(ctx.me, { ...fwd(request), body: raw(request) });
    return listTables(ctx);
  });
  app.get('/v1/tables/:name', { schema: routeSchemas.getTable }, async (request) => {
    ctx.verifyRequest(ctx.me, { ...fwd(request), body: raw(request) });
    return getTable(ctx, (request.params as { name: string }).name);
  });
  app.put('/v1/tables/:name', { schema: routeSchemas.putTable }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw unsupported();
    const info = await coordinateUpload(ctx, (request.params as { name: string }).name, request.body, fwd(request));
    return reply.code(201).send(info);
  });
  app.delete('/v1/tables/:name', { schema: routeSchemas.deleteTable }, async (request, reply) => {
    const party = ctx.verifyRequest(ctx.me, { ...fwd(request), body: raw(request) });
    await coordinateDelete(ctx, (request.params as { name: string }).name, party, fwd(request));
    return reply.code(204).send();
  });
  app.put('/v1/append-tables/:name', { schema: routeSchemas.putAppendTable }, async (request, reply) => {
    const info = await coordinateCreateAppend(ctx, (request.params as { name: string }).name, raw(request), request.body, fwd(request));
    return reply.code(201).send(info);
  });
  app.get('/v1/append-tables/:name', { schema: routeSchemas.getAppendTable }, async (request) => {
    const header = request.headers[CREDENTIAL_HEADER];
    return schemaForContributor(ctx, (request.params as { name: string }).name, typeof header === 'string' ? header : undefined);
  });
  app.post('/v1/append-tables/:name/rows', { schema: routeSchemas.contribute }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw unsupported();
    const { created, ...response } = await coordinateContribution(ctx, (request.params as { name: string }).name, request.body);
    return reply.code(created ? 201 : 200).send(response);
  });
  app.post(ROUTES.queries, { schema: routeSchemas.postQuery }, async (request, reply) => {
    const response = await coordinateQuery(ctx, raw(request), request.body, fwd(request));
    return reply.code(201).send(response);
  });
  app.get('/v1/queries/:query', { schema: routeSchemas.getQuery }, async (request) => {
    return queryStatus(ctx, (request.params as { query: string }).query, fwd(request));
  });
  app.get('/v1/results/:query', { schema: routeSchemas.getResult }, async (request) => {
    return collectResult(ctx, (request.params as { query: string }).query, fwd(request));
  });
  app.get('/v1/results/:query/share', { schema: routeSchemas.getResultShare }, async (request) => {
    return ownResultShare(ctx, (request.params as { query: string }).query, fwd(request));
  });
  return app;
}

function unsupported(): TesseraError {
  return new TesseraError('UNSUPPORTED_MEDIA_TYPE', `send this body as ${FRAME_CONTENT_TYPE} (use the Tessera client)`);
}

interface FrameworkError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly validation?: unknown;
  readonly message?: string;
}

function describeError(error: unknown): { code: string; status: number; message: string } {
  if (error instanceof TesseraError) return { code: error.code, status: statusForCode(error.code), message: error.message };
  const e = (error ?? {}) as FrameworkError;
  if (e.validation) return { code: 'VALIDATION', status: 400, message: `the request is invalid: ${e.message ?? 'it does not match the API schema'}` };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { code: 'BODY_TOO_LARGE', status: 413, message: 'the request body is larger than this node accepts (bodyLimitBytes in its configuration)' };
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: `unsupported content type; send JSON or ${FRAME_CONTENT_TYPE}` };
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return { code: 'FORMAT', status: 400, message: 'the request body is empty or cut off' };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return { code: 'BAD_REQUEST', status: e.statusCode, message: 'the request is malformed' };
  return { code: 'INTERNAL', status: 500, message: "internal error in the node (details are in the node's log)" };
}

/** The stack without its first line (the message). */
function stackFrames(error: unknown): string | undefined {
  const stack = (error as Error | undefined)?.stack;
  return stack?.split('\n').slice(1, 8).join('\n');
}

