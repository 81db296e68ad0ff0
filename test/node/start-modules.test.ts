/**
 * What a node process loads when it starts: the third-party packages reachable by static imports
 * from its entry point (dist/src/node/main.js). Loading modules is most of a node's start-up CPU
 * (~1.5 s measured, of which the certificate library alone, pulled in by one constant imported
 * from process-cluster.ts, took ~0.3 s). A package that only some commands need is imported
 * lazily (`await import`), which this walk does not follow, so adding one to the list below
 * should be a decision, not an accident.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const NODE_ENTRY = fileURLToPath(new URL('../../src/node/main.js', import.meta.url));
const STATIC_IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** The packages reachable by static imports from `entry` (compiled JS), with one module that imports each. */
function staticPackages(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:')) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (!packages.has(name)) packages.set(name, file);
      }
    }
  }
  assert.ok(seen.size > 50, `the walk found only ${seen.size} modules: the import pattern no longer matches the compiled output`);
  return packages;
}

test('a node process loads only the packages it serves with at start (no certificate, file or CLI libraries)', () => {
  const packages = staticPackages(NODE_ENTRY);
  assert.deepEqual([...packages.keys()].sort(), ['@fastify/swagger', 'canonicalize', 'fastify', 'pino'], JSON.stringify(Object.fromEntries(packages)));
});
