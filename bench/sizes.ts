import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** "256MiB", "1GiB", "4MB", "1000" → bytes. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a size like 256MiB or 1GiB`);
  const units: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 };
  return Math.round(Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

/** A file of random bytes, written in 1 MiB blocks (never the whole file in memory). */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
    if (!out.write(written + block.length > size ? block.subarray(0, size - written) : block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
