/** Permission bits used by the fake (see Discord's permission table, topics/permissions). */
export const Perm = {
  CreateInstantInvite: 1n << 0n,
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  SendTTSMessages: 1n << 12n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  ChangeNickname: 1n << 26n,
  ManageRoles: 1n << 28n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Every permission in Discord's table (bits 0–52; bit 47 is unassigned), what the owner and administrators hold. */
export const ALL_PERMISSIONS = ((1n << 53n) - 1n) & ~(1n << 47n);

/** What @everyone gets in a fresh guild (roughly Discord's default). */
export const EVERYONE_PERMISSIONS =
  Perm.CreateInstantInvite |
  Perm.AddReactions |
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ReadMessageHistory |
  Perm.UseExternalEmojis |
  Perm.Connect |
  Perm.Speak |
  Perm.ChangeNickname |
  Perm.UseApplicationCommands |
  Perm.CreatePublicThreads |
  Perm.CreatePrivateThreads |
  Perm.SendMessagesInThreads;

// MentionEveryone is granted so `pinged` reports the worst case: every mention the content asks for.
/** What the bot's own managed role grants by default. */
export const BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS | Perm.MentionEveryone;

/** A channel permission overwrite: type 0 targets a role, type 1 a member. */
export interface Overwrite {
  id: string;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

/** What the permission computation needs to know about a guild. */
export interface PermissionGuild {
  id: string;
  ownerId: string;
  /** Role permissions by role id; the @everyone role has the guild's id. */
  rolePermissions: (roleId: string) => bigint | undefined;
}

/** Guild-level permissions of a member: owner → all; @everyone OR the member's roles; Administrator → all. */
export function computeBasePermissions(guild: PermissionGuild, userId: string, roleIds: readonly string[]): bigint {
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  let permissions = guild.rolePermissions(guild.id) ?? 0n;
  for (const roleId of roleIds) permissions |= guild.rolePermissions(roleId) ?? 0n;
  return (permissions & Perm.Administrator) === Perm.Administrator ? ALL_PERMISSIONS : permissions;
}

/**
 * A member's permissions in a channel, as Discord's documented algorithm computes them: Administrator bypasses every
 * overwrite; then the @everyone overwrite, then every role overwrite of the member (denies and allows gathered
 * first, so no role order matters), then the member's own overwrite.
 */
export function computeOverwrites(
  base: bigint,
  guild: PermissionGuild,
  userId: string,
  roleIds: readonly string[],
  overwrites: readonly Overwrite[],
): bigint {
  if ((base & Perm.Administrator) === Perm.Administrator) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === guild.id);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== guild.id && roleIds.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const member = overwrites.find((o) => o.type === 1 && o.id === userId);
  if (member) permissions = (permissions & ~member.deny) | member.allow;
  return permissions;
}

/**
 * Applies Discord's implicit denials (topics/permissions, "Implicit Permissions"): without View Channel nothing else
 * in the channel counts, and without Send Messages neither do Mention Everyone, Send TTS Messages, Attach Files nor
 * Embed Links. What the API enforces; the bitfields Discord sends (overwrites, `app_permissions`) stay explicit.
 */
export function applyImplicitPermissions(permissions: bigint): bigint {
  if ((permissions & Perm.Administrator) === Perm.Administrator) return permissions;
  if ((permissions & Perm.ViewChannel) === 0n) return 0n;
  if ((permissions & Perm.SendMessages) === 0n)
    return permissions & ~(Perm.MentionEveryone | Perm.SendTTSMessages | Perm.AttachFiles | Perm.EmbedLinks);
  return permissions;
}

/** Reads a permission bitfield given as a bigint or a decimal string. */
export function toPermissions(value: bigint | string | undefined, fallback = 0n): bigint {
  if (value === undefined) return fallback;
  return typeof value === 'bigint' ? value : BigInt(value);
}
