import { describe, expect, it } from 'vitest';
import { HeldDeadlines } from './held-deadlines.js';

describe('HeldDeadlines', () => {
  it('says a destination is due once per passed batch, and keeps later deadlines', () => {
    const deadlines = new HeldDeadlines();
    deadlines.add('a', 100);
    deadlines.add('a', 300);
    deadlines.add('b', 200);
    expect(deadlines.due(50)).toEqual([]);
    expect(deadlines.due(100)).toEqual(['a']);
    expect(deadlines.due(150)).toEqual([]);
    expect(deadlines.due(250)).toEqual(['b']);
    expect(deadlines.size).toBe(1);
    expect(deadlines.due(1000)).toEqual(['a']);
    expect(deadlines.size).toBe(0);
  });
});
