import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { CorpusCatalog } from '../../app/corpus-catalog.js';
import type { FeedDesk } from '../../app/feed-desk.js';
import type { Clock, Logger, Store } from '../../app/ports.js';
import type { Subscriptions } from '../../app/subscriptions.js';
import type { AutocompleteChoice } from './choices.js';

/** What every command handler may use. */
export interface CommandContext {
  catalog: CorpusCatalog;
  store: Store;
  /** Every server's feeds: what /digest acts on. */
  desk: FeedDesk;
  subscriptions: Subscriptions;
  clock: Clock;
  logger: Logger;
  /** Live sources whose last fetch failed, one sentence each (none without SOURCES). */
  sourceConcerns?(): readonly string[];
}

/** A slash command definition exactly as Discord's bulk-overwrite endpoint takes it. */
export type CommandDefinition = RESTPostAPIChatInputApplicationCommandsJSONBody;

// Read-only at every depth, so that a definition written `as const` (which its option readers are typed from) still
// satisfies Discord's own type.
type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A slash command definition as plain read-only data (write it `as const satisfies CommandData`). */
export type CommandData = DeepReadonly<CommandDefinition>;

/**
 * One slash command, the discord.js guide's command-module shape: its definition as registered (`data`), what it
 * does, its autocomplete (if any), and the buttons its replies carry (if any: their custom ids start with
 * `<command name>:`, which is how the router finds their handler). Each lives in `commands/<name>.ts` and is listed
 * once in `commands/index.ts`.
 */
export interface SlashCommand<D extends CommandData = CommandData> {
  readonly data: D;
  execute(interaction: ChatInputCommandInteraction, context: CommandContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, context: CommandContext): Promise<AutocompleteChoice[]> | AutocompleteChoice[];
  button?(interaction: ButtonInteraction, context: CommandContext): Promise<void>;
}
