import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * Readable contrast in both themes (WCAG 2 AA: 4.5:1 for text): every colour in the renderer's
 * palette is a light-dark() pair, checked here against the surfaces it is drawn on.
 */
const css = readFileSync(new URL('../src-renderer/styles.css', import.meta.url), 'utf8');
const palette = new Map<string, [string, string]>();
for (const [, name, light, dark] of css.matchAll(/--([a-z-]+):\s*light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)/gi)) {
  palette.set(name as string, [light as string, dark as string]);
}

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

// [foreground, background]: text on the page and on cards, status colours, links and buttons.
const PAIRS: Array<[string, string]> = [
  ['text', 'bg'],
  ['text', 'card'],
  ['muted', 'card'],
  ['muted', 'bg'],
  ['accent', 'card'],
  ['accent-text', 'accent'],
  ['ok', 'card'],
  ['busy', 'card'],
  ['bad', 'card'],
  ['text', 'mine'],
  ['text', 'theirs'],
  ['accent', 'drop'],
];

describe('palette contrast', () => {
  it('finds the palette', () => {
    expect(palette.size).toBe(13);
  });

  for (const [theme, side] of [['light', 0], ['dark', 1]] as const) {
    it(`is at least 4.5:1 for text in the ${theme} theme`, () => {
      const low = PAIRS.map(([fg, bg]) => {
        const f = palette.get(fg)?.[side];
        const b = palette.get(bg)?.[side];
        if (!f || !b) throw new Error(`--${fg} or --${bg} is not a light-dark() colour`);
        return { pair: `${fg} on ${bg}`, ratio: Math.round(contrast(f, b) * 100) / 100 };
      }).filter((p) => p.ratio < 4.5);
      expect(low).toEqual([]);
    });
  }
});
