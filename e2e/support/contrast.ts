import type { Page } from 'playwright-core';

/** A piece of text on the page below WCAG AA contrast against what is painted behind it. */
export interface LowContrast {
  text: string;
  color: string;
  background: string;
  ratio: number;
  /** 4.5 for body text, 3 for large text (24 px, or 18.66 px bold). */
  required: number;
}

/**
 * Every visible piece of text in the page whose colour against its background is below WCAG 2.x
 * AA (1.4.3), computed from what the browser styled: each text's colour, over the backgrounds of
 * its ancestors composited down to the first opaque one. Text of disabled controls is left out, as
 * WCAG leaves it out. A colour the check cannot read is reported too, so it cannot pass unseen.
 */
export function lowContrast(page: Page): Promise<LowContrast[]> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (value: string): Rgba | undefined => {
      const m = /^rgba?\(([\d.]+),? ([\d.]+),? ([\d.]+)(?:,? \/? ?([\d.]+))?\)$/.exec(value.trim());
      if (!m) return undefined;
      return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => {
      const a = top[3] + bottom[3] * (1 - top[3]);
      if (a === 0) return [0, 0, 0, 0];
      const mix = (i: 0 | 1 | 2) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
      return [mix(0), mix(1), mix(2), a];
    };
    const luminance = ([r, g, b]: Rgba) => {
      const channel = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    // What is painted behind an element: its own and its ancestors' backgrounds, top down; the
    // canvas (white, or black in a dark colour scheme) under all of them.
    const backgroundOf = (element: Element): Rgba | undefined => {
      const layers: Rgba[] = [];
      for (let e: Element | null = element; e; e = e.parentElement) {
        const layer = parse(getComputedStyle(e).backgroundColor);
        if (!layer) return undefined;
        if (layer[3] > 0) layers.push(layer);
        if (layer[3] === 1) break;
      }
      const dark = getComputedStyle(document.documentElement).colorScheme.includes('dark') && matchMedia('(prefers-color-scheme: dark)').matches;
      let painted: Rgba = dark ? [0, 0, 0, 1] : [255, 255, 255, 1];
      for (const layer of layers.reverse()) painted = over(layer, painted);
      return painted;
    };
    const found: LowContrast[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const checked = new Set<Element>();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || checked.has(element) || !node.textContent?.trim()) continue;
      checked.add(element);
      if (element.closest(':disabled, [aria-disabled="true"], [hidden], .visually-hidden, option, script, style')) continue;
      const rect = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (rect.width === 0 || rect.height === 0 || style.visibility !== 'visible' || !element.checkVisibility({ opacityProperty: true })) continue;
      const text = node.textContent.trim().slice(0, 60);
      const color = parse(style.color);
      const background = backgroundOf(element);
      if (!color || !background) {
        found.push({ text, color: style.color, background: 'unreadable', ratio: 0, required: 4.5 });
        continue;
      }
      const shown = over(color, background);
      const [lighter, darker] = [luminance(shown), luminance(background)].sort((a, b) => b - a) as [number, number];
      const ratio = Math.round(((lighter + 0.05) / (darker + 0.05)) * 100) / 100;
      const size = Number.parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const required = large ? 3 : 4.5;
      if (ratio < required) found.push({ text, color: style.color, background: `rgb(${background.slice(0, 3).map(Math.round).join(', ')})`, ratio, required });
    }
    return found;
  });
}
