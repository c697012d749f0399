/**
 * Name cards of the peers on a LAN server (SPEC.md, "Name cards"): kept as posted, for peers
 * registered now, dropped when they leave. The server imports no app code and verifies nothing:
 * every client checks a card's signature against the id before showing its name, and a device
 * posts its card again whenever the listing does not carry it unchanged (so a card overwritten by
 * someone else is put back within a poll).
 */
export const NAME_CARD_MAX_BYTES = 1024;

export class NameCards {
  private readonly cards = new Map<string, unknown>();

  set(peerId: string, card: unknown): void {
    this.cards.set(peerId, card);
  }

  get(peerId: string): unknown {
    return this.cards.get(peerId);
  }

  forget(peerId: string): void {
    this.cards.delete(peerId);
  }
}
