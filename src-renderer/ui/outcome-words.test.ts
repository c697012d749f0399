import { describe, expect, it } from 'vitest';
import { isProblem, outcomeWords } from './outcome-words';

describe('how an ended transfer is worded', () => {
  it('says who cancelled or declined, and only failures and the other side’s reasons look like errors', () => {
    expect(outcomeWords({ state: 'cancelled', endedBy: 'here', peerName: 'Laptop' })).toBe('You cancelled it');
    expect(outcomeWords({ state: 'cancelled', endedBy: 'there', peerName: 'Laptop' })).toBe('Laptop cancelled it');
    expect(outcomeWords({ state: 'declined', endedBy: 'there', peerName: 'Laptop' })).toBe('Laptop declined it');
    expect(outcomeWords({ state: 'done', endedBy: undefined, peerName: 'Laptop' })).toBe('Done, verified');
    expect(isProblem({ state: 'cancelled', endedBy: 'here', error: 'Discarded.' })).toBe(false);
    expect(isProblem({ state: 'declined', endedBy: 'there', error: undefined })).toBe(false);
    expect(isProblem({ state: 'declined', endedBy: 'there', error: 'The other device declined: no space' })).toBe(true);
    expect(isProblem({ state: 'failed', endedBy: undefined, error: undefined })).toBe(true);
  });
});
