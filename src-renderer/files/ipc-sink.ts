import type { FileSink, IncomingOffer } from '../../src-core/index';
import { call, ferryApi } from '../platform';

/**
 * Received chunks go to main, which writes them to the download folder; main's answer to each
 * write is the acknowledgement that lets the receiver grant more credit.
 */
export class IpcFileSink implements FileSink {
  private constructor(private readonly sinkId: string) {}

  /** Asks main to prepare the download folder (free space, unique names, staging). */
  static async open(offer: IncomingOffer): Promise<IpcFileSink> {
    const { sinkId } = await call(ferryApi().receiveStart([...offer.entries], offer.totalBytes));
    return new IpcFileSink(sinkId);
  }

  async write(fileIndex: number, offset: number, bytes: Uint8Array): Promise<void> {
    await call(ferryApi().receiveWrite(this.sinkId, fileIndex, offset, bytes));
  }

  async finalize(fileIndex: number): Promise<void> {
    await call(ferryApi().receiveFinalize(this.sinkId, fileIndex));
  }

  async abort(): Promise<void> {
    await call(ferryApi().receiveAbort(this.sinkId));
  }
}
