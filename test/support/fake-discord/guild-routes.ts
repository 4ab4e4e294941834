import { Errors } from './errors.js';
import type { Route } from './http.js';
import { Perm, applyImplicitPermissions } from './permissions.js';
import type { GuildRecord, State } from './state.js';

type RouteBuilder = (method: string, pattern: string, handler: Route['handler']) => Route;

/** A guild the bot is in: 404 10004 when there is no such guild, 403 50001 when the bot is not (or no longer) in it. */
export function botGuild(state: State, id: string): GuildRecord {
  const guild = state.guilds.get(id);
  if (!guild) throw Errors.unknownGuild();
  if (!guild.botPresent) throw Errors.missingAccess();
  return guild;
}

/** Builds the read-only guild routes a bot uses: Get Guild, Get Guild Channels, Get Guild Roles, Get Guild Member. */
export function guildRoutes(state: State, route: RouteBuilder): Route[] {
  const ok = (body: unknown) => ({ status: 200, body });
  return [
    route('GET', '/guilds/:guildId', (ctx) => {
      const guild = botGuild(state, ctx.params.guildId!);
      const counts =
        ctx.query.get('with_counts') === 'true' ? { approximate_member_count: guild.members.size, approximate_presence_count: 1 } : {};
      return ok({ ...state.guildJson(guild), ...counts });
    }),
    // Channels the bot cannot view are left out (topics/permissions, "Channel Visibility").
    route('GET', '/guilds/:guildId/channels', (ctx) => {
      const guild = botGuild(state, ctx.params.guildId!);
      const channels = guild.channelIds.map((id) => state.channels.get(id)!);
      const visible = channels.filter((c) => (applyImplicitPermissions(state.botPermissions(c)) & Perm.ViewChannel) !== 0n);
      return ok(visible.map((c) => state.channelJson(c)));
    }),
    route('GET', '/guilds/:guildId/roles', (ctx) => ok(state.rolesJson(botGuild(state, ctx.params.guildId!)))),
    // Get Guild Member needs no privileged intent (only List Guild Members does).
    route('GET', '/guilds/:guildId/members/:userId', (ctx) => {
      const guild = botGuild(state, ctx.params.guildId!);
      if (!guild.members.has(ctx.params.userId!)) throw Errors.unknownMember();
      return ok(state.guildMemberJson(guild, ctx.params.userId!));
    }),
  ];
}
