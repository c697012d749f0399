import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * Real files for the conformance suites: trees written with random bytes and set modification
 * times, and read back as path → digest, size and time, so what landed compares with what was
 * sent byte for byte.
 */

/** Writes a tree: path → size in bytes, or null for an empty folder. Modification times are set. */
export async function makeTree(dir: string, spec: Record<string, number | null>): Promise<void> {
  for (const [path, size] of Object.entries(spec)) {
    const target = join(dir, path);
    if (size === null) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(target, randomBytes(size));
    const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5) + size);
    await utimes(target, when, when);
  }
}

export type TreeEntry = { kind: 'folder' } | { kind: 'file'; size: number; sha256: string; mtime: number };

/** Every file and folder under dir (folders end in "/"), with digests and times, for comparison. */
export async function readTree(dir: string): Promise<Record<string, TreeEntry>> {
  const out: Record<string, TreeEntry> = {};
  const walk = async (abs: string, rel: string) => {
    for (const name of (await readdir(abs)).sort()) {
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const info = await stat(childAbs);
      if (info.isDirectory()) {
        out[`${childRel}/`] = { kind: 'folder' };
        await walk(childAbs, childRel);
      } else {
        const bytes = await readFile(childAbs);
        out[childRel] = { kind: 'file', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), mtime: Math.floor(info.mtimeMs) };
      }
    }
  };
  await walk(dir, '');
  return out;
}

/** The part of a tree under `prefix` (a top-level name), keyed as in the tree. */
export function subtree(tree: Record<string, TreeEntry>, prefix: string): Record<string, TreeEntry> {
  return Object.fromEntries(Object.entries(tree).filter(([path]) => path === prefix || path.startsWith(`${prefix}/`)));
}

/**
 * Back-compatible name for e2e tests that compared folders as base64 contents: same walk, with
 * the bytes themselves (small trees only).
 */
export async function snapshot(dir: string): Promise<Record<string, { bytes?: string; mtime?: number }>> {
  const out: Record<string, { bytes?: string; mtime?: number }> = {};
  const walk = async (abs: string, rel: string) => {
    for (const name of (await readdir(abs)).sort()) {
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const info = await stat(childAbs);
      if (info.isDirectory()) {
        out[`${childRel}/`] = {};
        await walk(childAbs, childRel);
      } else {
        out[childRel] = { bytes: (await readFile(childAbs)).toString('base64'), mtime: Math.floor(info.mtimeMs) };
      }
    }
  };
  await walk(dir, '');
  return out;
}
