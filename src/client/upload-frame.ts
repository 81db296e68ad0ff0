/**
 * Turning an encoded table into an upload request: deal the shares (wire/share-payload.ts),
 * seal each node's payload to that node's key, and pack one frame with the three envelopes.
 * Only sealed envelopes leave this function; plaintext payloads are zeroed once sealed.
 */

import { randomBytes } from 'node:crypto';
import { sealEnvelope } from '../crypto/envelope.js';
import type { Collaboration, NodeIndex } from '../governance/collaboration.js';
import type { EncodedTable } from '../table/encode.js';
import { schemaToJson } from '../table/schema.js';
import { uploadContext, type UploadHeader } from '../wire/api.js';
import { encodeFrame, frameHeaderBytes, frameSigningBytes, partDigests } from '../wire/frames.js';
import { dealColumns } from '../mpc/sharing.js';
import { encodeSharePayload } from '../wire/share-payload.js';

export interface UploadRequestBody {
  readonly body: Uint8Array;
  readonly signingBytes: Uint8Array;
  readonly upload: string;
}

export function buildUploadFrame(collaboration: Collaboration, table: string, encoded: EncodedTable): UploadRequestBody {
  const upload = randomBytes(16).toString('base64url');
  const payloads = dealColumns(
    encoded.columns.map((c) => c.values),
    encoded.rowCount,
  );
  const envelopes = payloads.map((payload, i) => {
    const node = i as NodeIndex;
    const bytes = encodeSharePayload(payload);
    try {
      return sealEnvelope(bytes, collaboration.nodeEncryptionKey(node), uploadContext(collaboration.id, table, upload, node));
    } finally {
      bytes.fill(0);
    }
  });
  const header: UploadHeader = {
    format: 'tessera-upload/v1',
    upload,
    schema: schemaToJson(encoded.schema),
    rows: encoded.rowCount,
    columns: encoded.columns.map((c) => c.name),
  };
  const body = encodeFrame(header, envelopes);
  return { body, signingBytes: frameSigningBytes(frameHeaderBytes(body), partDigests(envelopes)), upload };
}
