export { startSignalingServer, SignalingServerError } from './server.js';
export type { SignalingServer, SignalingServerOptions, SignalingStats } from './server.js';
export type { IceServer } from './ice.js';
export type { LeaveReason, SignalingCounters, SignalingEvents } from './events.js';
export type { RefusalReason } from './refusals.js';
export type { AccessPolicy } from './access-token.js';
export type { TurnConfig } from './turn-credentials.js';
export { mintAccessToken } from './access-token.js';
export { DEFAULTS } from './defaults.js';
