import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors.js';
import { checkManifestPaths, parseRelativePath } from './safe-path.js';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('PATH_INVALID');
    return (error as FerryError).message;
  }
  return undefined;
}

describe('parseRelativePath', () => {
  it.each([
    ['report.pdf', ['report.pdf']],
    ['Photos/2026/IMG_0001.jpg', ['Photos', '2026', 'IMG_0001.jpg']],
    ['.hidden', ['.hidden']],
    ['日本語/ファイル.txt', ['日本語', 'ファイル.txt']],
    ['e\u0301t\u0301e.txt', ['\u00e9t\u0301e.txt'.normalize('NFC')]],
  ])('accepts %j', (path, segments) => {
    expect(parseRelativePath(path)).toEqual(segments);
  });

  it.each([
    ['', /empty/],
    ['../etc/passwd', /outside/],
    ['a/../../b', /outside/],
    ['./a', /outside/],
    ['/etc/passwd', /absolute/],
    ['C:/Windows/system.ini', /not allowed/],
    ['C:evil', /not allowed/],
    ['a\\..\\b', /not allowed/],
    ['a//b', /empty folder/],
    ['a/', /empty folder/],
    ['nul\u0000.txt', /control or invisible/],
    ['line\nbreak', /control or invisible/],
    ['invoice\u202Efdp.exe', /control or invisible/],
    ['zero\u200Bwidth', /control or invisible/],
    ['CON', /reserved/],
    ['docs/com1.txt', /reserved/],
    ['Lpt9.log', /reserved/],
    ['trailing.', /dot or a space/],
    ['trailing ', /dot or a space/],
    ['a'.repeat(256), /longer than 255 bytes/],
    ['é'.repeat(128), /longer than 255 bytes/],
    [Array.from({ length: 65 }, () => 'd').join('/'), /deeper/],
    ['x'.repeat(4097), /longer than 4096/],
  ])('refuses %j', (path, why) => {
    expect(refusal(() => parseRelativePath(path))).toMatch(why);
  });

  it('never accepts a path that could leave its folder, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (path) => {
        let segments: string[];
        try {
          segments = parseRelativePath(path);
        } catch (error) {
          return error instanceof FerryError && error.code === 'PATH_INVALID';
        }
        return segments.every(
          (s) => s !== '..' && s !== '.' && s.length > 0 && !s.includes('\\') && !s.includes('\u0000') && !s.includes(':'),
        );
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses every mutation of a safe path that inserts a traversal', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9_-]{1,12}$/), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom('..', '.', '', '..\\..', 'C:', 'nul'),
        (segments, at, evil) => {
          const mutated = [...segments];
          mutated.splice(at % (segments.length + 1), 0, evil);
          return refusal(() => parseRelativePath(mutated.join('/'))) !== undefined;
        },
      ),
    );
  });
});

describe('checkManifestPaths', () => {
  it('accepts folders with their files', () => {
    expect(() =>
      checkManifestPaths([
        { path: 'Photos', kind: 'directory' },
        { path: 'Photos/a.jpg', kind: 'file' },
        { path: 'Photos/Empty', kind: 'directory' },
      ]),
    ).not.toThrow();
  });

  it('refuses the same name twice, even differing only in case', () => {
    expect(refusal(() => checkManifestPaths([{ path: 'a.txt', kind: 'file' }, { path: 'A.TXT', kind: 'file' }]))).toMatch(/twice/);
  });

  it('refuses a file that is also a folder', () => {
    expect(refusal(() => checkManifestPaths([{ path: 'a', kind: 'file' }, { path: 'a/b', kind: 'file' }]))).toMatch(
      /both a file and a folder/,
    );
  });
});
