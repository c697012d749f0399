import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate } from './format';

describe('human units', () => {
  it('sizes, speeds and times left', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(123_000_000_000)).toBe('123 GB');
    expect(formatRate(12_500_000)).toBe('12.5 MB/s');
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(170)).toBe('3 min');
    expect(formatDuration(4800)).toBe('1 h 20 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
  });
});
