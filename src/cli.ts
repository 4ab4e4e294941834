#!/usr/bin/env node
// Entry point of the `paperboy` executable. Its only static import is the signal hold: an ES module's imports all load
// before its first line runs, and loading discord.js and the rest takes long enough on a busy machine that a
// `docker stop` in that time would kill the bot uncleanly. With the hold in place, the program proper loads.
import { holdSignals } from './cli/held-signals.js';

holdSignals();
await import('./cli/process-main.js');
