import type { WardlineConfig } from '../../config';

/** Injection tokens for what the API is given rather than builds: its config, its clock, the Temporal client. */
export const CONFIG = Symbol('WardlineConfig');
export const CLOCK = Symbol('Clock');
export const TEMPORAL_CLIENT = Symbol('TemporalClient');
/** The vault's key (src/infra/secrets): seals secrets and the replayable answers of create routes. */
export const SECRET_KEY = Symbol('SecretKey');

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export type { WardlineConfig };
