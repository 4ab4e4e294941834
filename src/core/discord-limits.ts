/**
 * Discord's documented limits, in one place: the core formats within them and the Discord adapter sends within them
 * (messages and embeds: https://discord.com/developers/docs/resources/message; autocomplete and command names:
 * https://discord.com/developers/docs/interactions/application-commands; pages: the list endpoints' `limit`).
 */
export const DISCORD_LIMITS = {
  /** Characters of a message's `content`. */
  content: 2000,
  embedsPerMessage: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  /** Characters of all of a message's embeds together. */
  embedTotal: 6000,
  /** Users one message's `allowed_mentions.users` may name. */
  allowedMentionUsers: 100,
  /** Characters of a message nonce. */
  nonce: 25,
  /** Choices of one autocomplete answer. */
  autocompleteChoices: 25,
  /** Characters of an autocomplete choice's name, and of a string choice's value. */
  choiceName: 100,
  choiceValue: 100,
  /** Characters of a command, subcommand or option name. */
  commandName: 32,
  /** Characters of a channel or thread name (a forum post's title too). */
  threadName: 100,
  /** Tags one forum post may carry (`applied_tags`). */
  appliedTags: 5,
  /** Tags one forum channel may offer (`available_tags`). */
  forumTags: 20,
  /** Characters of a forum tag's name. */
  forumTagName: 20,
  /** Messages one `GET /channels/{id}/messages` returns at most. */
  messagesPerPage: 100,
  /** Servers one `GET /users/@me/guilds` returns at most. */
  guildsPerPage: 200,
} as const;
