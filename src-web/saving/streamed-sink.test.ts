import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IncomingOffer } from '../../src-core/index.js';
import type { ByteTarget } from './byte-target.js';
import { streamedName, streamedSink } from './streamed-sink.js';

function recordingTarget() {
  const chunks: Uint8Array[] = [];
  const events: string[] = [];
  const target: ByteTarget = {
    write: async (bytes) => void chunks.push(bytes.slice()),
    close: async () => void events.push('close'),
    abort: async (reason) => void events.push(`abort: ${reason}`),
  };
  return { target, events, bytes: () => Buffer.concat(chunks) };
}

const offer = (entries: IncomingOffer['entries']): IncomingOffer => ({
  transferId: 1,
  mode: 'reliable-ordered',
  digest: 'blake3',
  chunkSize: 4,
  blockChunks: 4,
  entries,
  totalBytes: entries.reduce((n, e) => n + (e.kind === 'file' ? e.size : 0), 0),
  resume: false,
});

/** What Python's zipfile reads in the bytes: the archive checked by another reader. */
function zipContents(bytes: Buffer): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-zip-'));
  try {
    writeFileSync(join(dir, 'a.zip'), bytes);
    const script = 'import sys,zipfile,json\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({i.filename:z.read(i).decode() for i in z.infolist()}))';
    return JSON.parse(execFileSync('python3', ['-c', script, join(dir, 'a.zip')], { encoding: 'utf8' })) as Record<string, string>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('streamedSink', () => {
  it('names one file as itself and anything else as a zip', () => {
    expect(streamedName([{ kind: 'file', path: 'a.txt', size: 1, mtime: 0 }])).toEqual({ name: 'a.txt', zip: false });
    expect(streamedName([{ kind: 'directory', path: 'Trip' }, { kind: 'file', path: 'Trip/a', size: 1, mtime: 0 }])).toEqual({ name: 'Trip.zip', zip: true });
    expect(streamedName([{ kind: 'file', path: 'a', size: 1, mtime: 0 }, { kind: 'file', path: 'b', size: 1, mtime: 0 }])).toEqual({ name: 'Ferry files.zip', zip: true });
  });

  it('zips files whose chunks come out of order, and closes only once every file is verified', async () => {
    const rec = recordingTarget();
    const saved: string[] = [];
    const sink = streamedSink(
      offer([
        { kind: 'directory', path: 'Trip' },
        { kind: 'directory', path: 'Trip/empty' },
        { kind: 'file', path: 'Trip/a.txt', size: 8, mtime: 0 },
        { kind: 'file', path: 'Trip/b.txt', size: 4, mtime: 0 },
      ]),
      () => rec.target,
      (_index, path) => saved.push(path),
    );
    const enc = (text: string) => new TextEncoder().encode(text);
    await Promise.all([sink.write(3, 0, enc('wxyz')), sink.write(2, 4, enc('efgh')), sink.write(2, 0, enc('abcd'))]);
    await sink.finalize(2);
    expect(rec.events).toEqual([]);
    await sink.finalize(3);
    expect(rec.events).toEqual(['close']);
    expect(saved).toEqual(['Trip.zip', 'Trip.zip']);
    expect(zipContents(rec.bytes())).toEqual({ 'Trip/': '', 'Trip/empty/': '', 'Trip/a.txt': 'abcdefgh', 'Trip/b.txt': 'wxyz' });
  });

  it('an offer of folders only is a complete zip at once', async () => {
    const rec = recordingTarget();
    streamedSink(offer([{ kind: 'directory', path: 'Empty' }]), () => rec.target, () => {});
    await expect.poll(() => rec.events).toEqual(['close']);
    expect(zipContents(rec.bytes())).toEqual({ 'Empty/': '' });
  });

  it('a failure aborts the download: nothing is named', async () => {
    const rec = recordingTarget();
    const sink = streamedSink(offer([{ kind: 'file', path: 'a.bin', size: 8, mtime: 0 }]), () => rec.target, () => {});
    await sink.write(0, 0, new Uint8Array(4));
    await sink.abort();
    expect(rec.events).toEqual(['abort: The transfer ended before it was complete.']);
  });
});
