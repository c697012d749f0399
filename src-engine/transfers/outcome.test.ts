import { describe, expect, it } from 'vitest';
import { newRow, type TransferRow } from '../state/conversation.js';
import { endedWith, outcomeNotice } from './outcome.js';

function row(patch: Partial<TransferRow>): TransferRow {
  return { ...newRow('in-1', 'in', [{ kind: 'file', path: 'report.pdf', size: 10, mtime: 0 }], 'report.pdf', 1, 10), ...patch };
}

describe('how a transfer ended', () => {
  it('a person saying no needs no explanation; a device refusing does', () => {
    expect(endedWith({ code: 'TRANSFER_DECLINED', message: 'The other device declined: The other person declined.', cause: { code: 'USER_DECLINED' } }, 'waiting', 'Laptop')).toEqual({
      state: 'declined',
      error: undefined,
      endedBy: 'there',
    });
    expect(endedWith({ code: 'TRANSFER_DECLINED', message: 'You declined the transfer.' }, 'declined', 'Laptop')).toEqual({ state: 'declined', error: undefined, endedBy: 'here' });
    expect(endedWith({ code: 'TRANSFER_DECLINED', message: 'The other device declined: no space', cause: { code: 'SINK_FAILED' } }, 'waiting', 'Laptop')).toEqual({
      state: 'declined',
      error: 'The other device declined: no space',
      endedBy: 'there',
    });
  });

  it('your own cancel is no error; theirs is said with their name, not their words; failures keep their reason', () => {
    expect(endedWith({ code: 'TRANSFER_CANCELLED', message: 'You cancelled the transfer.', cause: { by: 'local' } }, 'active', 'Laptop')).toEqual({
      state: 'cancelled',
      error: undefined,
      endedBy: 'here',
    });
    expect(endedWith({ code: 'TRANSFER_CANCELLED', message: 'The other device cancelled: The sender cancelled the transfer.', cause: { by: 'remote' } }, 'active', 'Laptop')).toEqual({
      state: 'cancelled',
      error: 'Laptop cancelled it.',
      endedBy: 'there',
    });
    expect(endedWith({ code: 'TRANSFER_CANCELLED', message: 'The other device cancelled: a connection closed', cause: { by: 'remote', code: 'CHANNEL_CLOSED' } }, 'active', 'Laptop')).toEqual({
      state: 'cancelled',
      error: 'The other device cancelled: a connection closed',
      endedBy: 'there',
    });
    expect(endedWith({ code: 'CHANNEL_CLOSED', message: 'The connection closed.' }, 'active', 'Laptop')).toEqual({ state: 'failed', error: 'The connection closed.', endedBy: undefined });
    expect(endedWith({ code: 'CHANNEL_CLOSED', message: 'The connection closed.' }, 'declined', 'Laptop')).toEqual({ state: 'declined', error: 'The connection closed.', endedBy: 'here' });
  });
});

describe('the notification when a transfer ends', () => {
  it('names the files, the device and the outcome', () => {
    expect(outcomeNotice(row({ state: 'done' }), 'Laptop')).toEqual({ title: 'Received report.pdf', body: '1 file from Laptop, verified.' });
    expect(outcomeNotice(row({ state: 'done', direction: 'out', fileCount: 3, title: '3 files' }), 'Laptop')).toEqual({ title: 'Sent 3 files', body: '3 files to Laptop, verified.' });
    expect(outcomeNotice(row({ state: 'failed', error: 'The connection closed.' }), 'Laptop')).toEqual({ title: 'report.pdf from Laptop failed', body: 'The connection closed.' });
    expect(outcomeNotice(row({ state: 'cancelled', direction: 'out', error: undefined }), 'Laptop')).toEqual({ title: 'report.pdf to Laptop was cancelled', body: '' });
  });

  it('says nothing while the transfer runs, and keeps within what notifications show', () => {
    for (const state of ['offered', 'waiting', 'active'] as const) expect(outcomeNotice(row({ state }), 'Laptop')).toBeUndefined();
    const long = outcomeNotice(row({ state: 'failed', title: 'x'.repeat(500), error: 'y'.repeat(5000) }), 'Laptop');
    expect(long?.title).toHaveLength(200);
    expect(long?.body).toHaveLength(1000);
  });
});
