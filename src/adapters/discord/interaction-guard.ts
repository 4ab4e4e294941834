import {
  ApplicationCommandType,
  ComponentType,
  Events,
  type Client,
  Routes,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
} from 'discord.js';
import { z } from 'zod';
import type { Logger } from '../../app/ports.js';

const snowflake = z.string().regex(/^\d{1,20}$/);
const bitfield = z.string().regex(/^\d{1,40}$/);
const user = z.looseObject({ id: snowflake, username: z.string() });

type Option = { name: string; type: number; value?: unknown; focused?: unknown; options?: Option[] };
const option: z.ZodType<Option> = z.lazy(() =>
  z.looseObject({
    name: z.string(),
    type: z.number().int(),
    value: z.unknown().optional(),
    focused: z.unknown().optional(),
    options: z.array(option).optional(),
  }),
);

/** What every interaction carries about where it comes from. */
const origin = {
  id: snowflake,
  application_id: snowflake,
  token: z.string().min(1),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  channel: z.looseObject({ id: snowflake, type: z.number().int() }).optional(),
  member: z.looseObject({ user, permissions: bitfield, roles: z.array(snowflake) }).optional(),
  user: user.optional(),
  app_permissions: bitfield.optional(),
  entitlements: z.array(z.looseObject({})),
  authorizing_integration_owners: z.looseObject({}),
};

/**
 * What discord.js needs of an INTERACTION_CREATE to build an interaction without throwing (found by fuzzing:
 * a null `data`, non-array options, a missing `member.user`, a non-numeric permission bitfield, missing
 * `entitlements` or `authorizing_integration_owners`, a `channel` that is not an object all crash its handler;
 * an unknown interaction or command type is dropped without a word, leaving the member with "interaction failed").
 * Paperboy has slash commands, their autocomplete, and buttons on its replies (a click carries the message).
 */
const interactionSchema = z
  .union([
    z.looseObject({
      ...origin,
      type: z.union([z.literal(InteractionType.ApplicationCommand), z.literal(InteractionType.ApplicationCommandAutocomplete)]),
      data: z.looseObject({
        id: snowflake,
        name: z.string(),
        type: z.literal(ApplicationCommandType.ChatInput),
        options: z.array(option).optional(),
        resolved: z.looseObject({}).optional(),
      }),
    }),
    z.looseObject({
      ...origin,
      type: z.literal(InteractionType.MessageComponent),
      data: z.looseObject({ custom_id: z.string().max(100), component_type: z.literal(ComponentType.Button) }),
      message: z.looseObject({ id: snowflake, channel_id: snowflake, author: user }),
    }),
  ])
  .refine((d) => (d.guild_id ? d.member !== undefined : d.user !== undefined), { error: 'no member (in a server) or user (in a DM)' });

/** True when any option (at any depth) is marked focused: the mark of an autocomplete interaction. */
function hasFocusedOption(payload: unknown): boolean {
  const stack: unknown[] = [(payload as { data?: { options?: unknown } } | null)?.data?.options];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...(node as unknown[]));
    else if (node && typeof node === 'object') {
      if ((node as { focused?: unknown }).focused === true) return true;
      stack.push((node as { options?: unknown }).options);
    }
  }
  return false;
}

/** The packet type the guard gives a refused interaction so that no discord.js handler runs for it. */
const DROPPED = 'PAPERBOY_DROPPED_INTERACTION';

/**
 * Checks every INTERACTION_CREATE before discord.js parses it (the `raw` event fires first, on the same packet).
 * A payload discord.js could not parse would throw inside its gateway handler and take the process down; instead
 * the packet is neutralised, logged, and answered directly through REST when its id and token allow it.
 */
export function installInteractionGuard(client: Client, logger: Logger): void {
  (client as unknown as NodeJS.EventEmitter).on(Events.Raw, (packet: { t?: unknown; d?: unknown } | null) => {
    if (packet?.t !== 'INTERACTION_CREATE') return;
    const result = interactionSchema.safeParse(packet.d);
    if (result.success) return;
    packet.t = DROPPED;
    const raw = (packet.d ?? {}) as { id?: unknown; token?: unknown; type?: unknown };
    const problem = result.error.issues
      .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
      .slice(0, 5)
      .join('; ');
    logger.warn({ interaction: typeof raw.id === 'string' ? raw.id : null, problem }, 'refused a malformed interaction payload');
    if (typeof raw.id !== 'string' || !/^\d{1,20}$/.test(raw.id) || typeof raw.token !== 'string' || !raw.token) return;
    const autocomplete = { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } };
    const message = {
      type: InteractionResponseType.ChannelMessageWithSource,
      data: {
        content: 'Paperboy could not read this command (its data arrived malformed). Please try again.',
        flags: MessageFlags.Ephemeral,
        allowed_mentions: { parse: [] },
      },
    };
    // With its type corrupted, a focused option still tells an autocomplete; failing that, the other answer is tried.
    const first = raw.type === InteractionType.ApplicationCommandAutocomplete || hasFocusedOption(packet.d) ? autocomplete : message;
    const second = first === autocomplete ? message : autocomplete;
    const route = Routes.interactionCallback(raw.id, raw.token);
    client.rest
      .post(route, { body: first, auth: false })
      .catch(() => client.rest.post(route, { body: second, auth: false }))
      .catch((error: unknown) => logger.debug({ err: error }, 'could not answer the malformed interaction'));
  });
}
