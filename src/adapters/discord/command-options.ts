import {
  ApplicationCommandOptionType,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { UserFacingError } from '../../app/errors.js';
import { DISCORD_LIMITS } from '../../core/discord-limits.js';
import type { CommandData } from './command.js';

type OptionOf<D> = D extends { readonly options: readonly (infer O)[] } ? O : never;
type ValueOf<O> = O extends { readonly type: ApplicationCommandOptionType.String }
  ? string
  : O extends { readonly type: ApplicationCommandOptionType.Boolean }
    ? boolean
    : O extends { readonly type: ApplicationCommandOptionType.Integer }
      ? number
      : O extends { readonly type: ApplicationCommandOptionType.Channel }
        ? string
        : never;

/** A leaf option as {@link readOptions} reads it. */
interface OptionDefinition {
  readonly type: ApplicationCommandOptionType;
  readonly name: string;
  readonly required?: boolean;
}

/** What holds options: a command's definition, or one of its subcommands. */
export interface OptionHolder {
  readonly name: string;
  readonly options?: readonly OptionDefinition[];
}

/**
 * A command's (or subcommand's) option values, typed from its `as const` definition: a required option is always
 * there. A channel option reads as the channel's id.
 */
export type OptionValues<D extends OptionHolder> = {
  [O in OptionOf<D> as O extends { readonly name: infer N extends string } ? N : never]: O extends { readonly required: true }
    ? ValueOf<O>
    : ValueOf<O> | undefined;
};

/** The names of a command's subcommands, typed from its `as const` definition. */
export type SubcommandName<D extends CommandData> =
  OptionOf<D> extends infer O
    ? O extends { readonly type: ApplicationCommandOptionType.Subcommand; readonly name: infer N extends string }
      ? N
      : never
    : never;

/** The option types {@link readOptions} reads (others would need a reader of their own). */
export const READABLE_OPTION_TYPES: ReadonlySet<ApplicationCommandOptionType> = new Set([
  ApplicationCommandOptionType.String,
  ApplicationCommandOptionType.Boolean,
  ApplicationCommandOptionType.Integer,
  ApplicationCommandOptionType.Channel,
]);

/**
 * Reads every option of a command's (or a subcommand's) definition, in its order. A required string that is missing
 * or blank is the member's problem, and so is any value that arrived as something else; a boolean that is not a real
 * boolean counts as "not given".
 */
export function readOptions<const D extends OptionHolder>(interaction: ChatInputCommandInteraction, data: D): OptionValues<D> {
  const values: Record<string, unknown> = {};
  for (const option of data.options ?? []) {
    const required = option.required === true;
    if (option.type === ApplicationCommandOptionType.String) values[option.name] = readString(interaction, option.name, required);
    else if (option.type === ApplicationCommandOptionType.Boolean) values[option.name] = readBoolean(interaction, option.name);
    else if (option.type === ApplicationCommandOptionType.Integer) values[option.name] = readInteger(interaction, option.name, required);
    else if (option.type === ApplicationCommandOptionType.Channel) values[option.name] = readChannelId(interaction, option.name, required);
    else throw new Error(`/${data.name}: option \`${option.name}\` (type ${option.type}) has no reader`);
  }
  return values as OptionValues<D>;
}

/** The subcommand of a definition, by name (for reading its options). */
export function findSubcommand<const D extends CommandData, const N extends SubcommandName<D>>(
  data: D,
  name: N,
): Extract<OptionOf<D>, { readonly name: N }> {
  const found = (data.options ?? []).find((o) => o.type === ApplicationCommandOptionType.Subcommand && o.name === name);
  if (!found) throw new Error(`/${data.name} has no subcommand ${String(name)}`);
  return found as Extract<OptionOf<D>, { readonly name: N }>;
}

/** Reads which subcommand was used; a missing or unknown one is the member's problem, told with the valid ones. */
export function readSubcommand<const D extends CommandData>(interaction: ChatInputCommandInteraction, data: D): SubcommandName<D> {
  const names = (data.options ?? []).filter((o) => o.type === ApplicationCommandOptionType.Subcommand).map((o) => o.name);
  let sub: string;
  try {
    sub = interaction.options.getSubcommand(true);
  } catch {
    throw new UserFacingError(`Pick one of ${listWithOr(names.map((name) => `\`/${data.name} ${name}\``))}.`);
  }
  if (!names.includes(sub))
    throw new UserFacingError(`Unknown subcommand \`${sub.slice(0, DISCORD_LIMITS.commandName)}\`; use ${listWithOr(names)}.`);
  return sub as SubcommandName<D>;
}

/** The text typed so far in an autocomplete's focused option ('' when it is not text). */
export function readFocusedText(interaction: AutocompleteInteraction): string {
  const focused = interaction.options.getFocused();
  return typeof focused === 'string' ? focused : '';
}

const MALFORMED = (name: string) =>
  new UserFacingError(
    `The \`${name}\` option arrived in a shape Paperboy cannot read. Try the command again, picking from the suggestions.`,
  );

function readString(interaction: ChatInputCommandInteraction, name: string, required: boolean): string | undefined {
  let value: unknown;
  try {
    value = interaction.options.getString(name, false);
  } catch {
    throw MALFORMED(name);
  }
  // discord.js checks the option's declared type, not its value: a corrupt payload can carry anything.
  if (value !== null && typeof value !== 'string') throw MALFORMED(name);
  if (!required) return value ?? undefined;
  if (value === null || value.trim() === '') throw new UserFacingError(`Please give a \`${name}\`.`);
  return value;
}

function readInteger(interaction: ChatInputCommandInteraction, name: string, required: boolean): number | undefined {
  let value: unknown;
  try {
    value = interaction.options.getInteger(name, false);
  } catch {
    throw MALFORMED(name);
  }
  if (value !== null && !Number.isSafeInteger(value)) throw MALFORMED(name);
  if (value === null && required) throw new UserFacingError(`Please give a \`${name}\`.`);
  return (value as number | null) ?? undefined;
}

/** A channel option's value, the channel id (what it names is for the command to check: it may be anywhere). */
function readChannelId(interaction: ChatInputCommandInteraction, name: string, required: boolean): string | undefined {
  let value: unknown;
  try {
    value = interaction.options.get(name, false)?.value ?? null;
  } catch {
    throw MALFORMED(name);
  }
  if (value !== null && (typeof value !== 'string' || !/^\d{1,20}$/.test(value))) throw MALFORMED(name);
  if (value === null && required) throw new UserFacingError(`Please give a \`${name}\`.`);
  return value ?? undefined;
}

function readBoolean(interaction: ChatInputCommandInteraction, name: string): boolean | undefined {
  let value: unknown;
  try {
    value = interaction.options.getBoolean(name, false);
  } catch {
    return undefined;
  }
  return typeof value === 'boolean' ? value : undefined;
}

/** `a`, `a or b`, `a, b or c`. */
function listWithOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** What a command typed outside a server is told. */
export const NOT_IN_A_SERVER = "Paperboy's commands work inside a server, not in direct messages.";

/** The server an interaction came from: members' topics and feeds are kept per server; a direct message has none. */
export function readGuildId(interaction: ChatInputCommandInteraction | AutocompleteInteraction | ButtonInteraction): string {
  if (!interaction.guildId) throw new UserFacingError(NOT_IN_A_SERVER);
  return interaction.guildId;
}
