import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { TableStore, type NewTable } from '../../src/node/storage.js';

export const SECRET = Buffer.alloc(32, 7);

export function openStore(dataDir: string, nodeSecret: Uint8Array = SECRET): Promise<TableStore> {
  return TableStore.open({ dataDir, nodeSecret });
}

export function sampleTable(name: string, rows = 10): NewTable {
  return {
    name,
    schema: { columns: [{ name: 'age', type: 'int' }, { name: 'bmi', type: 'fixed' }] },
    owner: 'St. Mary Hospital',
    rowCount: rows,
    columns: [
      { name: 'age', data: randomBytes(rows * 16) },
      { name: 'bmi', data: randomBytes(rows * 16) },
    ],
  };
}

/** Every regular file under `dir`, as paths relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)).map((f) => join(entry.name, f)));
    else out.push(relative(dir, p));
  }
  return out.sort();
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

export async function allBytes(dir: string): Promise<Buffer[]> {
  return Promise.all((await listFiles(dir)).map((f) => readFile(join(dir, f))));
}
