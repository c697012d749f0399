/** How the bytes travel: straight between the two devices, or through a TURN relay. */
export type ConnectionPath = 'direct' | 'relayed';

/** The stats report of a peer connection, typed structurally (Chromium's and node-datachannel's fit). */
export interface RtcStatsReportLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each stack types its reports its own way
  forEach(callback: (report: any) => void): void;
  get(id: string): unknown;
}

export interface RtcStatsSource {
  getStats(): Promise<RtcStatsReportLike>;
}

/**
 * Reads the selected ICE candidate pair from the connection's stats: relayed when either end of
 * it is a TURN relay candidate. Undefined while no pair is selected yet.
 */
export async function connectionPath(pc: RtcStatsSource): Promise<ConnectionPath | undefined> {
  const stats = await pc.getStats();
  let pairId: string | undefined;
  stats.forEach((report: { type: string; selectedCandidatePairId?: string }) => {
    if (report.type === 'transport' && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
  });
  if (!pairId) {
    // Some stacks do not name the selected pair on the transport: take the nominated, succeeded one.
    stats.forEach((report: { type: string; id: string; nominated?: boolean; state?: string }) => {
      if (!pairId && report.type === 'candidate-pair' && report.nominated && report.state === 'succeeded') pairId = report.id;
    });
  }
  const pair = pairId ? (stats.get(pairId) as { localCandidateId?: string; remoteCandidateId?: string } | undefined) : undefined;
  if (!pair) return undefined;
  const typeOf = (id: string | undefined) => (id ? (stats.get(id) as { candidateType?: string } | undefined)?.candidateType : undefined);
  return typeOf(pair.localCandidateId) === 'relay' || typeOf(pair.remoteCandidateId) === 'relay' ? 'relayed' : 'direct';
}
