import { type DataChannels, FerryError, openDataChannels, type Runtime } from '../../src-core/index.js';
import type { DataConnectionPort } from '../ports/signaling.js';

export { STRIPE_COUNT } from '../../src-core/index.js';

const STRIPE_OPEN_TIMEOUT_MS = 20_000;

/** PeerJS metadata that marks a connection as a stripe of the link with that connectionId. */
export interface StripeMetadata {
  ferryStripeOf: string;
}

/** The connectionId of the link this connection is a stripe of, if it is one. */
export function stripeOf(connection: DataConnectionPort): string | undefined {
  const metadata: unknown = connection.metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const of = (metadata as Partial<StripeMetadata>).ferryStripeOf;
  return typeof of === 'string' ? of : undefined;
}

/**
 * Opens Ferry's data channels on a stripe connection; bounded. They are created at once, on both
 * sides before the connection is up (PeerJS makes the RTCPeerConnection with the connection):
 * a side whose channels open first starts sending on them, and Chromium drops what arrives on a
 * pre-negotiated stream the receiving side has not created yet.
 */
export function openStripeChannels(connection: DataConnectionPort, runtime: Runtime): Promise<DataChannels> {
  return new Promise((resolve, reject) => {
    const timer = runtime.setTimer(STRIPE_OPEN_TIMEOUT_MS, () => reject(new FerryError('CHANNEL_CLOSED', 'A stripe connection did not open.')));
    const create = () => {
      openDataChannels(connection.peerConnection).then(
        (channels) => {
          runtime.clearTimer(timer);
          resolve(channels);
        },
        (error: unknown) => {
          runtime.clearTimer(timer);
          reject(error);
        },
      );
    };
    if (connection.peerConnection) create();
    else connection.on('open', create);
    connection.on('error', (error) => {
      runtime.clearTimer(timer);
      reject(new FerryError('CHANNEL_CLOSED', `A stripe connection failed: ${error.message}`, { cause: error }));
    });
    // Some ends hear only the close of a connection that died on its way (settled promises ignore it later).
    connection.on('close', () => {
      runtime.clearTimer(timer);
      reject(new FerryError('CHANNEL_CLOSED', 'A stripe connection closed before it opened.'));
    });
  });
}
