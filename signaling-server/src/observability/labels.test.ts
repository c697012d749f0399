import { describe, expect, it } from 'vitest';
import { REFUSAL_REASONS as SERVER_REASONS } from '../refusals.js';
import {
  LEAVE_REASONS,
  leaveReasonIndex,
  REFUSAL_REASONS,
  refusalReasonIndex,
  RELAYED_TYPES,
  relayedTypeIndex,
} from './labels.js';

describe('metric labels', () => {
  it('maps PeerJS message types onto the fixed set', () => {
    expect(RELAYED_TYPES[relayedTypeIndex('OFFER')]).toBe('offer');
    expect(RELAYED_TYPES[relayedTypeIndex('CANDIDATE')]).toBe('candidate');
    expect(RELAYED_TYPES[relayedTypeIndex('answer')]).toBe('answer');
  });

  it('has a label for every reason the server refuses for', () => {
    for (const reason of SERVER_REASONS) expect(REFUSAL_REASONS[refusalReasonIndex(reason)]).toBe(reason);
    expect(LEAVE_REASONS[leaveReasonIndex('timeout')]).toBe('timeout');
    expect(LEAVE_REASONS[leaveReasonIndex(undefined)]).toBe('other');
  });

  it('counts anything else as "other", so label values stay bounded', () => {
    const made = ['HEARTBEAT', 'x'.repeat(1000), '', 'offer\n', '__proto__', 'constructor', 'Offer'];
    for (const value of made) {
      expect(RELAYED_TYPES[relayedTypeIndex(value)]).toBe('other');
      expect(REFUSAL_REASONS[refusalReasonIndex(value)]).toBe('other');
      expect(LEAVE_REASONS[leaveReasonIndex(value)]).toBe('other');
    }
  });
});
