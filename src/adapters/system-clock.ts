import type { Clock } from '../app/ports.js';

/** The real clock: the only place in Paperboy that reads the current time. */
export const systemClock: Clock = { now: () => new Date() };
