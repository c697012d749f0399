import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors.js';
import { encodeUtf8 } from '../utf8.js';
import { decodeControl, encodeControl, MAX_TEXT_LENGTH, negotiateVersion } from './control.js';
import { decodeFrame, encodeFrame, FrameKind, MAX_CONTROL_FRAME_BYTES } from './frame.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof FerryError) return error.code;
    throw error;
  }
  return undefined;
}

function controlPayload(json: string): Uint8Array {
  const decoded = decodeFrame(encodeFrame(FrameKind.control, encodeUtf8(json)));
  if (decoded.kind !== 'control') throw new Error('expected a control frame');
  return decoded.payload;
}

describe('frames', () => {
  it('round-trips a control message byte for byte', () => {
    const message = { type: 'text', id: 'abc', body: 'hi 👋', sentAt: 5 } as const;
    const frame = encodeControl(message);
    expect(frame[0]).toBe(FrameKind.control);
    expect(decodeControl(frame.subarray(1))).toEqual(message);
  });

  it('rejects an empty frame', () => {
    expect(codeOf(() => decodeFrame(new Uint8Array(0)))).toBe('FRAME_TOO_SHORT');
  });

  it('rejects an unknown kind', () => {
    expect(codeOf(() => decodeFrame(Uint8Array.of(0x7f, 1, 2)))).toBe('FRAME_UNKNOWN_KIND');
  });

  it('rejects an oversized control frame', () => {
    const frame = new Uint8Array(MAX_CONTROL_FRAME_BYTES + 1);
    frame[0] = FrameKind.control;
    expect(codeOf(() => decodeFrame(frame))).toBe('FRAME_TOO_LARGE');
  });
});

describe('control messages', () => {
  it.each([
    ['not JSON', '{"type":', 'CONTROL_INVALID_JSON'],
    ['JSON null', 'null', 'CONTROL_INVALID_MESSAGE'],
    ['unknown type', '{"type":"launch-missiles"}', 'CONTROL_INVALID_MESSAGE'],
    ['missing field', '{"type":"text","id":"a","sentAt":1}', 'CONTROL_INVALID_MESSAGE'],
    ['extra field', '{"type":"text-ack","id":"a","evil":true}', 'CONTROL_INVALID_MESSAGE'],
    ['bad id', '{"type":"text-ack","id":"../../etc"}', 'CONTROL_INVALID_MESSAGE'],
    ['negative time', '{"type":"text","id":"a","body":"x","sentAt":-1}', 'CONTROL_INVALID_MESSAGE'],
    [
      'wrong protocol',
      '{"type":"hello","protocol":"other","versions":[1],"deviceName":"x"}',
      'CONTROL_INVALID_MESSAGE',
    ],
  ])('rejects %s', (_name, json, code) => {
    expect(codeOf(() => decodeControl(controlPayload(json)))).toBe(code);
  });

  it('rejects a text over the length limit', () => {
    const json = JSON.stringify({ type: 'text', id: 'a', body: 'x'.repeat(MAX_TEXT_LENGTH + 1), sentAt: 1 });
    expect(codeOf(() => decodeControl(controlPayload(json)))).toBe('CONTROL_INVALID_MESSAGE');
  });

  it('rejects invalid UTF-8 with its own code', () => {
    expect(codeOf(() => decodeControl(Uint8Array.of(0x7b, 0xff, 0x7d)))).toBe('FRAME_INVALID_UTF8');
  });

  it('negotiates the highest common version', () => {
    expect(negotiateVersion([1, 2, 3])).toBe(1);
    expect(negotiateVersion([2, 3])).toBeUndefined();
  });
});
