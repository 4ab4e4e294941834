import { readdirSync } from 'node:fs';
import { ApplicationCommandOptionType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { CommandData, SlashCommand } from '../../../src/adapters/discord/command.js';
import { READABLE_OPTION_TYPES } from '../../../src/adapters/discord/command-options.js';
import { SLASH_COMMANDS } from '../../../src/adapters/discord/commands/index.js';
import { buildDefinitions } from '../../../src/adapters/discord/definitions.js';
import { mapCommandsByName } from '../../../src/adapters/discord/router.js';
import { validateCommandList } from '../../support/fake-discord/validate-commands.js';

const COMMANDS_DIR = new URL('../../../src/adapters/discord/commands/', import.meta.url);

type Option = NonNullable<CommandData['options']>[number];

const isSlashCommand = (value: unknown): value is SlashCommand =>
  typeof value === 'object' &&
  value !== null &&
  'data' in value &&
  'execute' in value &&
  typeof (value as SlashCommand).execute === 'function';

/** The commands each module of `commands/` exports, by file name (index.ts aside). */
async function loadCommandModules(): Promise<Map<string, SlashCommand[]>> {
  const modules = new Map<string, SlashCommand[]>();
  for (const file of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
    const exports = (await import(new URL(file, COMMANDS_DIR).href)) as Record<string, unknown>;
    modules.set(file.replace(/\.ts$/, ''), Object.values(exports).filter(isSlashCommand));
  }
  return modules;
}

/**
 * What is wrong with a command list against the modules that define commands: a definition nothing handles (a module
 * left out of the list, so it is neither registered nor routed), a handler that shadows another's name, autocomplete
 * promised by a definition but not answered (or answered for no option), an option no reader reads.
 */
function findProblems(commands: readonly SlashCommand[], modules: ReadonlyMap<string, readonly SlashCommand[]>): string[] {
  const problems: string[] = [];
  const listed = new Set(commands);
  for (const [file, exported] of modules) {
    if (exported.length !== 1) problems.push(`commands/${file}.ts exports ${exported.length} commands, not one`);
    for (const command of exported) {
      if (!listed.has(command)) problems.push(`/${command.data.name} (commands/${file}.ts) is not in commands/index.ts`);
      if (command.data.name !== file)
        problems.push(`/${command.data.name} lives in commands/${file}.ts, not commands/${command.data.name}.ts`);
    }
  }
  const fromModules = new Set([...modules.values()].flat());
  for (const command of commands)
    if (!fromModules.has(command)) problems.push(`/${command.data.name} is listed but no module of commands/ defines it`);
  try {
    const routed = [...mapCommandsByName(commands).keys()];
    const registered = buildDefinitions({ kind: 'global' }, commands).map((d) => d.name);
    if (JSON.stringify(routed) !== JSON.stringify(registered))
      problems.push(`routed ${routed.join(',')} but registered ${registered.join(',')}`);
  } catch (error) {
    problems.push((error as Error).message);
  }
  for (const command of commands) {
    const leaves = (command.data.options ?? []).flatMap((o: Option): readonly Option[] =>
      o.type === ApplicationCommandOptionType.Subcommand ? ((o.options ?? []) as readonly Option[]) : [o],
    );
    const autocompleted = leaves.filter((o) => 'autocomplete' in o && o.autocomplete === true);
    if (autocompleted.length > 0 && !command.autocomplete)
      problems.push(`/${command.data.name} promises autocomplete but does not answer it`);
    if (autocompleted.length === 0 && command.autocomplete) problems.push(`/${command.data.name} answers autocomplete for no option`);
    for (const option of leaves)
      if (!READABLE_OPTION_TYPES.has(option.type))
        problems.push(`/${command.data.name} option ${option.name}: no reader for type ${option.type}`);
  }
  return problems;
}

const probe = (name: string, options?: CommandData['options'], autocomplete = false): SlashCommand => ({
  data: { name, description: name, ...(options ? { options } : {}) },
  execute: async () => undefined,
  ...(autocomplete ? { autocomplete: () => [] } : {}),
});

describe('the slash command list', () => {
  it("given the list, then its definitions pass Discord's rules for names, descriptions and options, in both scopes", () => {
    expect(validateCommandList(buildDefinitions({ kind: 'global' }), 'global')).toEqual([]);
    expect(validateCommandList(buildDefinitions({ kind: 'guild', guildId: '1' }), 'guild')).toEqual([]);
  });

  it('given the modules of commands/, then each command is one module listed once, routed and registered under its name', async () => {
    const modules = await loadCommandModules();
    expect(findProblems(SLASH_COMMANDS, modules)).toEqual([]);
  });

  it('given a module left out of the list, then the check says its definition has no handler', async () => {
    const modules = await loadCommandModules();
    const [left, ...rest] = SLASH_COMMANDS;
    expect(findProblems(rest, modules)).toEqual([`/${left!.data.name} (commands/${left!.data.name}.ts) is not in commands/index.ts`]);
  });

  it('given a listed command no module defines, or a second command under a taken name, then the check says so', async () => {
    const modules = await loadCommandModules();
    const stray = probe('stray');
    expect(findProblems([...SLASH_COMMANDS, stray], modules)).toEqual(['/stray is listed but no module of commands/ defines it']);
    const twin = probe('paper');
    expect(findProblems([...SLASH_COMMANDS, twin], modules)).toContain('two slash commands are named /paper');
    expect(validateCommandList(buildDefinitions({ kind: 'global' }, [...SLASH_COMMANDS, twin]), 'global').map((i) => i.code)).toContain(
      'APPLICATION_COMMANDS_DUPLICATE_NAME',
    );
  });

  it('given autocomplete promised but not answered, answered for no option, or an option no reader reads, then the check says so', () => {
    const text = { type: ApplicationCommandOptionType.String, name: 'q', description: 'q', autocomplete: true } as const;
    const modules = new Map([
      ['mute', [probe('mute', [text])]],
      ['chatty', [probe('chatty', undefined, true)]],
      ['count', [probe('count', [{ type: ApplicationCommandOptionType.Number, name: 'n', description: 'n' }])]],
    ]);
    expect(findProblems([...modules.values()].flat(), modules)).toEqual([
      '/mute promises autocomplete but does not answer it',
      '/chatty answers autocomplete for no option',
      '/count option n: no reader for type 10',
    ]);
  });

  it("given a name that breaks Discord's rules, then the validation the list passes refuses it", () => {
    const bad = probe('Paper Lookup');
    expect(validateCommandList(buildDefinitions({ kind: 'guild', guildId: '1' }, [bad]), 'guild').map((i) => i.code)).toEqual([
      'APPLICATION_COMMAND_INVALID_NAME',
    ]);
  });
});
