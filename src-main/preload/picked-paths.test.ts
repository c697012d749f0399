import { describe, expect, it } from 'vitest';
import { pickedPaths } from './picked-paths.js';

describe('what a pick or a drop grants', () => {
  it('a picked folder’s files stand for the folder, once', () => {
    expect(
      pickedPaths([
        { path: '/home/me/Holiday/2026/a.jpg', relativePath: 'Holiday/2026/a.jpg' },
        { path: '/home/me/Holiday/b.jpg', relativePath: 'Holiday/b.jpg' },
      ]),
    ).toEqual(['/home/me/Holiday']);
  });

  it('dropped files and folders are themselves; Windows separators too', () => {
    expect(
      pickedPaths([
        { path: '/tmp/x/a.txt', relativePath: '' },
        { path: '/tmp/x/Album', relativePath: '' },
        { path: 'C:\\Users\\me\\Pics\\2026\\c.png', relativePath: 'Pics/2026/c.png' },
      ]),
    ).toEqual(['/tmp/x/a.txt', '/tmp/x/Album', 'C:\\Users\\me\\Pics']);
  });

  it('files the page made (no path) grant nothing', () => {
    expect(pickedPaths([{ path: '', relativePath: '' }])).toEqual([]);
  });

  it('a relative path that does not end the path grants the file alone, never a folder above it', () => {
    expect(pickedPaths([{ path: '/a/b/c.txt', relativePath: 'Other/d/c.txt' }])).toEqual(['/a/b/c.txt']);
    expect(pickedPaths([{ path: '/a/xb/c.txt', relativePath: 'b/c.txt' }])).toEqual(['/a/xb/c.txt']);
  });
});
