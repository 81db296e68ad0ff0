/**
 * Dummy tables as secret tables, for design queries (ops/table-reader.ts's reader, injected in
 * place of the stored-table reader, which design queries never get): the dummy rows are public,
 * so each node holds the trivial replicated sharing of them (the value in component 0, zeros
 * elsewhere: mpc/sharing.ts publicA), computed locally. First the three nodes compare a digest of
 * the checked plan and of every dummy's content: nodes holding different dummies (an upload that
 * reached only some of them) stop here instead of computing a wrong result.
 */

import { createHash } from 'node:crypto';
import { QueryError } from '../../errors.js';
import { publicA } from '../../mpc/sharing.js';
import { columnsRead, type StoredSecretTable, type StoredTableReader } from '../../ops/table-reader.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../secret/secret-table.js';
import { VALIDITY_SUFFIX } from '../../table/schema.js';
import type { DesignTable } from './design-catalog.js';

export function designTableReader(tables: ReadonlyMap<string, DesignTable>): StoredTableReader {
  return {
    async read(s, plan) {
      const hash = createHash('sha256').update('tessera/design-agreement/v1\0').update(plan.digest);
      for (const t of plan.tables) hash.update(`\0${t.name}\0${tables.get(t.name)!.digest}`);
      const mine = hash.digest();
      s.sendBytes(s.next, mine);
      s.sendBytes(s.prev, mine);
      const theirs = [Buffer.from(await s.recvBytes(s.next)), Buffer.from(await s.recvBytes(s.prev))];
      if (!theirs.every((t) => t.equals(mine))) {
        throw new QueryError(`the nodes read different dummy tables for ${plan.tables.map((t) => `'${t.name}'`).join(', ')} (a dummy upload reached only some nodes, or the tables changed meanwhile): upload the dummy again (tessera design upload), then run the design query again`);
      }
      const needed = columnsRead(plan);
      const out = new Map<string, StoredSecretTable>();
      for (const t of plan.tables) {
        const dummy = tables.get(t.name)!;
        const names = needed.get(t.name) ?? new Set<string>();
        const encoded = dummy.columns();
        const share = (name: string) => publicA(s.me, encoded.find((c) => c.name === name)!.values);
        const columns: SecretColumn[] = dummy.schema.columns
          .filter((c) => names.has(c.name))
          .map((schema) => (schema.nullable ? { schema, values: share(schema.name), present: share(schema.name + VALIDITY_SUFFIX) } : { schema, values: share(schema.name) }));
        // The values respect every declaration (generated within them, or checked at upload), as an uploaded table's do.
        out.set(t.name, { table: new SecretTable(dummy.rows, columns, ALL_VALID), source: 'uploaded' });
      }
      return out;
    },
  };
}
