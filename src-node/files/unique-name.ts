import { extname } from 'node:path';

/** "report.pdf" → "report (1).pdf"; folders and dotfiles get the number at the end. */
export function numberedName(name: string, n: number, isFile: boolean): string {
  if (n === 0) return name;
  const ext = isFile ? extname(name) : '';
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  return `${stem} (${n})${ext && ext !== name ? ext : ''}`;
}
