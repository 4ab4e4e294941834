import { once } from 'node:events';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  ComponentType,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Routes,
  type ButtonInteraction,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, ImpossibleInteraction, startFakeDiscord } from './fake-discord/index.js';

let server: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
});

const GUILD = '250000000000000001';
const CHANNEL = '250000000000000011';
const ADMIN = { id: '250000000000000031', username: 'admin' };
const OTHER = { id: '250000000000000032', username: 'other' };

async function boot(intents = [GatewayIntentBits.Guilds]): Promise<{ server: FakeDiscord; client: Client }> {
  server = await startFakeDiscord({ guilds: [{ id: GUILD, channels: [{ id: CHANNEL, name: 'papers' }] }] });
  client = new Client({ intents, rest: { api: server.apiUrl } });
  const ready = once(client, Events.ClientReady);
  await client.login(server.token);
  await ready;
  await client.rest.put(Routes.applicationGuildCommands(server.applicationId, GUILD), {
    body: [{ name: 'remove', description: 'Remove the feed' }],
  });
  return { server, client };
}

const confirmRow = () =>
  new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('remove:confirm').setLabel('Remove').setStyle(ButtonStyle.Danger),
    new ButtonBuilder().setCustomId('remove:cancel').setLabel('Cancel').setStyle(ButtonStyle.Secondary),
  );

describe('fake discord: buttons (message component interactions)', () => {
  it('given an ephemeral reply with confirm buttons, when its user clicks one, then the bot receives the click with the message and update() rewrites that message', async () => {
    const { server, client } = await boot();
    const clicks: ButtonInteraction[] = [];
    client.on(Events.InteractionCreate, async (interaction) => {
      if (interaction.isChatInputCommand()) {
        await interaction.reply({ content: 'Remove the feed?', components: [confirmRow()], flags: MessageFlags.Ephemeral });
      } else if (interaction.isButton()) {
        clicks.push(interaction);
        await interaction.update({ content: interaction.customId === 'remove:confirm' ? 'Removed.' : 'Kept.', components: [] });
      }
    });
    const asked = await server.interact({ type: 'command', name: 'remove', user: ADMIN });
    expect(asked).toMatchObject({ callbackType: 4, ephemeral: true });
    const prompt = asked.original!;
    expect(prompt.components).toHaveLength(1);

    const click = await server.interact({ type: 'button', messageId: prompt.id, customId: 'remove:confirm' });
    expect(click).toMatchObject({ callbackType: 7, ephemeral: true, data: { content: 'Removed.', components: [] } });
    const [received] = clicks;
    expect(received).toMatchObject({ customId: 'remove:confirm', componentType: ComponentType.Button, guildId: GUILD, channelId: CHANNEL });
    expect(received!.user.id).toBe(ADMIN.id);
    expect(received!.message.id).toBe(prompt.id);
    expect(received!.message.flags.has(MessageFlags.Ephemeral)).toBe(true);
    expect(received!.message.interactionMetadata?.user.id).toBe(ADMIN.id);
    expect((await click.waitForFinal()).id).toBe(prompt.id);
    expect(prompt).toMatchObject({ content: 'Removed.', components: [] });
    // Ephemeral: nothing ever reached the channel.
    expect(server.messages(CHANNEL)).toEqual([]);

    // Only the user who saw an ephemeral message can click it, and only on buttons it has.
    const again = await server.interact({ type: 'command', name: 'remove', user: ADMIN });
    await expect(
      server.interact({ type: 'button', messageId: again.original!.id, customId: 'remove:cancel', user: OTHER }),
    ).rejects.toThrow(ImpossibleInteraction);
    await expect(server.interact({ type: 'button', messageId: again.original!.id, customId: 'remove:nope' })).rejects.toThrow(/no button/);
    await expect(server.interact({ type: 'button', messageId: '250000000000000099', customId: 'remove:cancel' })).rejects.toThrow(
      /sent no message/,
    );
  });

  it('given a public message with a button, when a member clicks it, then deferUpdate() and editReply() edit that channel message and the client sees the update', async () => {
    const { server, client } = await boot([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const sent = (await client.rest.post(Routes.channelMessages(CHANNEL), {
      body: { content: 'Vote', components: [confirmRow().toJSON()] },
    })) as { id: string; components: unknown[] };
    expect(sent.components).toHaveLength(1);
    client.on(Events.InteractionCreate, async (interaction) => {
      if (!interaction.isButton()) return;
      await interaction.deferUpdate();
      const disabled = new ActionRowBuilder<ButtonBuilder>().addComponents(
        ButtonBuilder.from(interaction.component).setDisabled(true).setLabel(`Clicked by ${interaction.user.username}`),
      );
      await interaction.editReply({ content: 'Done', components: [disabled] });
    });
    const updated = once(client, Events.MessageUpdate);
    const click = await server.interact({ type: 'button', messageId: sent.id, customId: 'remove:confirm', user: OTHER });
    expect(click.callbackType).toBe(6);
    const final = await click.waitForFinal();
    expect(final.id).toBe(sent.id);
    expect(server.messages(CHANNEL)[0]).toMatchObject({ content: 'Done' });
    expect(server.messages(CHANNEL)[0]!.components[0]).toMatchObject({
      components: [{ custom_id: 'remove:confirm', disabled: true, label: 'Clicked by other' }],
    });
    const [, after] = (await updated) as [unknown, { id: string; content: string }];
    expect(after).toMatchObject({ id: sent.id, content: 'Done' });
    await expect(server.interact({ type: 'button', messageId: sent.id, customId: 'remove:confirm' })).rejects.toThrow(/disabled/);
  });

  it('given invalid buttons, then Discord’s validation refuses them', async () => {
    const { client } = await boot();
    const send = (components: unknown[]) => client.rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'x', components } });
    const button = (extra: Record<string, unknown>) => ({ type: 1, components: [{ type: 2, style: 1, label: 'Go', ...extra }] });
    await expect(
      send([
        {
          type: 1,
          components: [
            { type: 2, style: 1, custom_id: 'a' },
            { type: 2, style: 1, custom_id: 'a' },
          ],
        },
      ]),
    ).rejects.toMatchObject({ code: 50035 });
    await expect(send([button({})])).rejects.toMatchObject({ code: 50035 });
    await expect(send([button({ style: 5, custom_id: undefined })])).rejects.toMatchObject({ code: 50035 });
    await expect(send([button({ custom_id: 'x'.repeat(101) })])).rejects.toMatchObject({ code: 50035 });
    await send([button({ style: 5, url: 'https://example.org' })]);
  });
});
