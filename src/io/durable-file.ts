/**
 * Crash-safe file operations. A file written with `writeFileAtomic` is, after a crash at any
 * point, either absent/old or complete and new: the bytes go to a temporary file that is flushed
 * to disk, then renamed over the target, then the directory entry itself is flushed (without
 * that last step a rename can be lost on power failure even though it returned).
 *
 * Lowest layer: used by key files (crypto/) and node storage (node/); imports nothing of ours.
 */

import { randomBytes } from 'node:crypto';
import { link, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temporary files carry this marker so that a store can sweep leftovers after a crash. */
export const TEMP_MARKER = '.tmp-';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o600: only the owner may read). */
  readonly mode?: number;
  /** Refuse to replace an existing file (checked at rename time with a hard link). */
  readonly exclusive?: boolean;
}

/** Writes `data` (one buffer or several, written in order) to `path` atomically and durably. */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | readonly Uint8Array[],
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${basename(path)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', options.mode ?? 0o600);
  try {
    const parts = data instanceof Uint8Array ? [data] : data;
    for (const part of parts) await writeAll(handle, part);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    if (options.exclusive) {
      // link() fails with EEXIST instead of replacing: no window in which a second writer wins.
      await link(temp, path);
      await rm(temp, { force: true });
    } else {
      await rename(temp, path);
    }
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** Flushes a directory's entries (creations, renames, deletions) to disk. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems (and all of Windows) cannot fsync a directory; renames are still atomic.
    if (!isErrnoException(error) || (error.code !== 'EINVAL' && error.code !== 'EPERM' && error.code !== 'EISDIR')) throw error;
  } finally {
    await handle.close();
  }
}

/** Writes the whole buffer (a single write may be short for large buffers). */
export async function writeAll(handle: FileHandle, data: Uint8Array, position?: number): Promise<void> {
  let done = 0;
  while (done < data.byteLength) {
    const { bytesWritten } = await handle.write(data, done, data.byteLength - done, position === undefined ? null : position + done);
    done += bytesWritten;
  }
}

export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** True if something exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return false;
    throw error;
  }
}

/** Names of the sub-directories of `dir`, temporary ones left out, sorted. */
export async function listDirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.includes(TEMP_MARKER)).map((e) => e.name).sort();
}

/** Removes what `writeFileAtomic` (or a directory built under a temp name) left behind in `dir`. */
export async function removeTempFiles(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if (isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return;
    throw error;
  }
  for (const entry of entries) if (entry.includes(TEMP_MARKER)) await rm(join(dir, entry), { recursive: true, force: true });
}
