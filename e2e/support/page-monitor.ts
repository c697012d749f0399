import type { Page } from 'playwright-core';

/** How the window kept up while a test ran: frames, long tasks, its size. */
export interface PageLoad {
  /** Time between painted frames (ms): a window that keeps up paints about every 16.7 ms. */
  frameGapMs: { p50: number; p95: number; max: number; frames: number };
  /** Main-thread tasks over 50 ms (Chromium's long tasks): what makes a click feel late. */
  longTasks: { count: number; totalMs: number; maxMs: number };
  domNodes: number;
  jsHeapMB: number;
}

interface MonitorState {
  gaps: number[];
  long: number[];
}

/**
 * Starts measuring in the page (a requestAnimationFrame loop and a long-task observer) and
 * returns a function that reads what was measured since, and starts over.
 */
export async function monitorPage(page: Page): Promise<() => Promise<PageLoad>> {
  await page.evaluate(() => {
    const state = { gaps: [] as number[], long: [] as number[] };
    (globalThis as unknown as { __ferryMonitor: MonitorState }).__ferryMonitor = state;
    let last = performance.now();
    const frame = (now: number) => {
      state.gaps.push(now - last);
      last = now;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) state.long.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  return () =>
    page.evaluate(() => {
      const state = (globalThis as unknown as { __ferryMonitor: MonitorState }).__ferryMonitor;
      const gaps = state.gaps.splice(0).sort((a, b) => a - b);
      const long = state.long.splice(0);
      const at = (q: number) => Math.round((gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))] ?? 0) * 10) / 10;
      const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return {
        frameGapMs: { p50: at(0.5), p95: at(0.95), max: Math.round(gaps.at(-1) ?? 0), frames: gaps.length },
        longTasks: { count: long.length, totalMs: Math.round(long.reduce((a, b) => a + b, 0)), maxMs: Math.round(Math.max(0, ...long)) },
        domNodes: document.getElementsByTagName('*').length,
        jsHeapMB: Math.round(((memory?.usedJSHeapSize ?? 0) / 1e6) * 10) / 10,
      };
    });
}
