/**
 * package-lock.json must be complete for every platform: `npm ci` refuses a lockfile that lacks
 * a package some dependency declares, even an optional one for another platform (DuckDB ships
 * its native binding as one optional package per OS and CPU). A lockfile written by `npm install`
 * on one machine can miss the others' packages, and then `npm ci` fails on a fresh clone.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

interface LockEntry {
  readonly version?: string;
  readonly link?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

interface Lockfile {
  readonly lockfileVersion: number;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

interface PackageJson {
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

/** The compiled test sits in dist/test/; the repository root is two levels up. */
const ROOT = new URL('../../', import.meta.url);
const readJson = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, ROOT), 'utf8')) as T;

/** A plain version ("1.5.6-r.1") pins exactly; ranges are left to npm, which checks them. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * Where node (and npm) would find `name` from the package installed at `from`: its own
 * node_modules, then each enclosing package's, up to the top-level node_modules.
 */
function resolveIn(lock: Lockfile, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (lock.packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at < 0 ? '' : base.slice(0, at);
  }
}

/** Every declared dependency (optional ones included) that the lockfile cannot resolve. */
function missingFromLockfile(lock: Lockfile, manifest: PackageJson): string[] {
  const problems: string[] = [];
  const root = lock.packages[''] ?? {};
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
    assert.deepEqual(root[field] ?? {}, manifest[field] ?? {}, `package-lock.json's ${field} differ from package.json's: run npm install`);
  }
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (entry.link) continue;
    const declared = { ...entry.dependencies, ...entry.optionalDependencies, ...(path === '' ? entry.devDependencies : {}) };
    for (const [name, range] of Object.entries(declared)) {
      const found = resolveIn(lock, path, name);
      if (found === undefined) {
        problems.push(`${name}@${range} (needed by ${path === '' ? 'package.json' : path})`);
      } else if (EXACT_VERSION.test(range) && lock.packages[found]?.version !== range) {
        problems.push(`${name}@${range} (needed by ${path === '' ? 'package.json' : path}; the lockfile has ${lock.packages[found]?.version ?? 'no version'})`);
      }
    }
  }
  return problems;
}

test('package-lock.json records every dependency, including the optional packages of other platforms', () => {
  const lock = readJson<Lockfile>('package-lock.json');
  assert.equal(lock.lockfileVersion, 3);
  const missing = missingFromLockfile(lock, readJson<PackageJson>('package.json'));
  assert.deepEqual(missing, [], `package-lock.json lacks packages, so \`npm ci\` fails on a fresh clone; add them with \`npm install --package-lock-only\`:\n  ${missing.join('\n  ')}`);
});

test("DuckDB's native bindings are in the lockfile for macOS, Windows and Linux on x64 and arm64", () => {
  const lock = readJson<Lockfile>('package-lock.json');
  const bindings = lock.packages['node_modules/@duckdb/node-bindings'];
  assert.ok(bindings?.optionalDependencies, 'the lockfile has no @duckdb/node-bindings with optional platform packages');
  const platforms = Object.keys(bindings.optionalDependencies);
  for (const platform of ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64']) {
    assert.ok(platforms.includes(`@duckdb/node-bindings-${platform}`), `@duckdb/node-bindings no longer declares ${platform}`);
  }
  for (const name of platforms) assert.ok(lock.packages[`node_modules/${name}`], `package-lock.json lacks ${name}`);
});

test('the check finds an optional platform package missing from a lockfile', () => {
  const lock: Lockfile = {
    lockfileVersion: 3,
    packages: {
      '': { dependencies: { engine: '^1.0.0' } },
      'node_modules/engine': { version: '1.0.0', optionalDependencies: { 'engine-linux-x64': '1.0.0', 'engine-darwin-arm64': '1.0.0' } },
      'node_modules/engine-linux-x64': { version: '1.0.0' },
      'node_modules/engine/node_modules/engine-darwin-arm64': { version: '0.9.0' },
    },
  };
  assert.deepEqual(missingFromLockfile(lock, { dependencies: { engine: '^1.0.0' } }), [
    'engine-darwin-arm64@1.0.0 (needed by node_modules/engine; the lockfile has 0.9.0)',
  ]);
  const { 'node_modules/engine/node_modules/engine-darwin-arm64': _nested, ...withoutIt } = lock.packages;
  assert.deepEqual(missingFromLockfile({ ...lock, packages: withoutIt }, { dependencies: { engine: '^1.0.0' } }), [
    'engine-darwin-arm64@1.0.0 (needed by node_modules/engine)',
  ]);
  assert.throws(() => missingFromLockfile(lock, { dependencies: { engine: '^2.0.0' } }), /differ from package.json/);
});
