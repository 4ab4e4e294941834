import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, type Interaction, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCorpusCatalog } from '../../../src/app/corpus-catalog.js';
import type { CommandContext } from '../../../src/adapters/discord/command.js';
import { SLASH_COMMANDS } from '../../../src/adapters/discord/commands/index.js';
import { similarCommand } from '../../../src/adapters/discord/commands/similar.js';
import { buildDefinitions } from '../../../src/adapters/discord/definitions.js';
import { createInteractionRouter } from '../../../src/adapters/discord/router.js';
import { type Paper, paperId } from '../../../src/core/paper.js';
import { loadSeedPapers } from '../../eval/load-corpora.js';
import { COMMAND_NAMES } from '../../support/commands.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../../support/fake-discord/index.js';
import { createListCorpus, createMemoryLogger } from '../../support/memory-ports.js';
import { computePinged } from '../../support/fake-discord/validate-message.js';

// `/similar` through the interaction router, driven by the real discord.js client against the fake Discord, over the
// seed corpus plus a second copy of one paper (another arXiv version of it) and a hostile title.

const HOME = { guild: '160000000000000001', channel: '160000000000000011' };
const MEMBER = { id: '360000000000000001', username: 'member' };

let server: FakeDiscord;
let client: Client;
let papers: Paper[];
const logger = createMemoryLogger();

const contentOf = (outcome: InteractionOutcome): string => String(outcome.data?.content ?? '');
const ask = (options: Record<string, string | boolean>) =>
  server.interact({ type: 'command', name: 'similar', options, guildId: HOME.guild, channelId: HOME.channel, user: MEMBER });

beforeAll(async () => {
  const seed = loadSeedPapers();
  const universal = seed.find((p) => p.title.startsWith('Universal Checkpointing'))!;
  papers = [
    ...seed,
    // The same paper again, as another capture of it would be read (another version of the same arXiv id).
    { ...universal, id: `${universal.id}-v2-copy`, source: { file: 'copy.txt', line: 1 } },
    {
      ...seed[0]!,
      id: paperId('@everyone checkpointing [click](https://evil.example) **Checkpointing**'),
      title: '@everyone checkpointing [click](https://evil.example) **Checkpointing**',
      abstract: 'Checkpointing checkpoint checkpoints for large scale distributed training of language models <@123456789012345678>.',
    },
  ];
  const catalog = await createCorpusCatalog({ source: createListCorpus(papers), logger, now: () => 0 });
  server = await startFakeDiscord({ guilds: [{ id: HOME.guild, channels: [{ id: HOME.channel, name: 'papers' }] }] });
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  await client.rest.put(Routes.applicationGuildCommands(server.applicationId, HOME.guild), {
    body: buildDefinitions({ kind: 'guild', guildId: HOME.guild }, SLASH_COMMANDS),
  });
  const route = createInteractionRouter({ catalog, logger } as unknown as CommandContext, { commands: SLASH_COMMANDS });
  client.on(Events.InteractionCreate, (interaction: Interaction) => void route(interaction));
});
afterAll(async () => {
  await client.destroy();
  await server.close();
});

describe('/similar', () => {
  it('given the command list, then /similar is registered (the fake Discord accepts its definition) and routed', () => {
    expect(COMMAND_NAMES).toContain('similar');
    expect(SLASH_COMMANDS).toContain(similarCommand);
    expect(server.commands(HOME.guild).map((c) => c.name)).toContain('similar');
  });

  it('given a picked paper, then it answers only to the member with 5 numbered papers, never the paper itself nor its other copy, pinging nobody', async () => {
    const universal = papers.find((p) => p.title.startsWith('Universal Checkpointing'))!;
    const outcome = await ask({ paper: universal.id });
    expect(outcome.ephemeral).toBe(true);
    const [head, ...lines] = contentOf(outcome).split('\n');
    expect(head).toBe(`More like **${universal.title}**:`);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['1.', '2.', '3.', '4.', '5.']);
    const shown = lines.map((l) => / · (\S+) · /.exec(l)![1]!);
    expect(shown).not.toContain(universal.id);
    expect(shown).not.toContain(`${universal.id}-v2-copy`);
    expect(new Set(shown).size).toBe(5);
    // Related checkpointing papers of the seed come first.
    expect(lines.slice(0, 3).join('\n')).toMatch(/Checkpoint/);
    expect(computePinged(contentOf(outcome), outcome.data?.allowed_mentions, null)).toEqual({ everyone: false, users: [], roles: [] });
    expect(contentOf(outcome)).not.toMatch(/(?<!\\)\[click\]/);
  });

  it('given typed words instead of a pick, and public:true, then the best match is the paper and the answer is public', async () => {
    const outcome = await ask({ paper: 'densing law', public: true });
    expect(outcome.ephemeral).toBe(false);
    expect(contentOf(outcome)).toMatch(/^More like \*\*Densing Law of LLMs\*\*:\n1\. /);
  });

  it('given words that match no paper, then it says so, only to the member', async () => {
    const outcome = await ask({ paper: 'zzzz qqqq xxxx' });
    expect(outcome.ephemeral).toBe(true);
    expect(contentOf(outcome)).toBe('No paper matches "zzzz qqqq xxxx". Pick one of the suggestions as you type.');
  });

  it('given a member typing, then autocomplete suggests papers as /paper does', async () => {
    const outcome = await server.interact({
      type: 'autocomplete',
      name: 'similar',
      options: { paper: 'univ' },
      focused: 'paper',
      guildId: HOME.guild,
      user: MEMBER,
    });
    const choices = (outcome.data?.choices ?? []) as Array<{ name: string; value: string }>;
    expect(choices[0]?.name).toMatch(/^Universal Checkpointing/);
  });
});
