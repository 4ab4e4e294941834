import type { SlashCommand } from '../command.js';
import { digestCommand } from './digest.js';
import { paperCommand } from './paper.js';
import { readingListCommand } from './reading-list.js';
import { similarCommand } from './similar.js';
import { subscribeCommand } from './subscribe.js';
import { subscriptionsCommand } from './subscriptions.js';
import { topCommand } from './top.js';
import { unsubscribeCommand } from './unsubscribe.js';

/**
 * Every slash command of Paperboy, in registration order: registration (and its hash), routing, the README test and
 * `paperboy register` all read this list, so a new command is its module plus one line here (nothing is globbed).
 */
export const SLASH_COMMANDS: readonly SlashCommand[] = [
  paperCommand,
  similarCommand,
  readingListCommand,
  topCommand,
  subscribeCommand,
  unsubscribeCommand,
  subscriptionsCommand,
  digestCommand,
];
