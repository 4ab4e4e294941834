import { type Issue, badLength, required, tooLong, wrongType } from './errors.js';
import type { Pinged } from './types.js';

type Json = Record<string, unknown>;
type Path = Issue['path'];

/** Discord counts message lengths in code points, not UTF-16 units. */
const length = (s: string): number => [...s].length;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const SNOWFLAKE = /^\d{17,20}$/;

function checkString(issues: Issue[], value: unknown, path: Path, max: number, opts: { min?: number; required?: boolean } = {}): void {
  if (value === undefined || value === null) {
    if (opts.required) issues.push(required(path));
    return;
  }
  if (typeof value !== 'string') {
    issues.push(wrongType(path, 'string'));
    return;
  }
  const n = length(value);
  if (opts.min !== undefined && (n < opts.min || n > max)) issues.push(badLength(path, opts.min, max));
  else if (n > max) issues.push(tooLong(path, max));
}

function checkUrl(issues: Issue[], value: unknown, path: Path, schemes: string[], isRequired = false): void {
  if (value === undefined || value === null) {
    if (isRequired) issues.push(required(path));
    return;
  }
  let url: URL | null;
  try {
    url = typeof value === 'string' ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (!url) {
    issues.push({ path, code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' });
    return;
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    const list = schemes.map((s) => `'${s}'`).join(', ');
    issues.push({
      path,
      code: 'URL_TYPE_INVALID_SCHEME',
      message: `Scheme "${scheme}" is not supported. Scheme must be one of (${list}).`,
    });
  }
}

/** Characters Discord counts toward the 6000-per-message embed budget. */
function embedSize(embed: Json): number {
  const str = (v: unknown): number => (typeof v === 'string' ? length(v) : 0);
  const footer = isObject(embed.footer) ? embed.footer : {};
  const author = isObject(embed.author) ? embed.author : {};
  const fields = Array.isArray(embed.fields) ? embed.fields.filter(isObject) : [];
  return (
    str(embed.title) +
    str(embed.description) +
    str(footer.text) +
    str(author.name) +
    fields.reduce((sum, f) => sum + str(f.name) + str(f.value), 0)
  );
}

function validateEmbed(issues: Issue[], embed: unknown, path: Path): void {
  if (!isObject(embed)) {
    issues.push({ path, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' });
    return;
  }
  const http = ['http', 'https'];
  const media = ['http', 'https', 'attachment'];
  checkString(issues, embed.title, [...path, 'title'], 256);
  checkString(issues, embed.description, [...path, 'description'], 4096);
  checkUrl(issues, embed.url, [...path, 'url'], http);
  if (
    embed.color !== undefined &&
    embed.color !== null &&
    (!Number.isInteger(embed.color) || (embed.color as number) < 0 || (embed.color as number) > 0xffffff)
  ) {
    issues.push({ path: [...path, 'color'], code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 16777215.' });
  }
  if (
    embed.timestamp !== undefined &&
    embed.timestamp !== null &&
    (typeof embed.timestamp !== 'string' || Number.isNaN(Date.parse(embed.timestamp)))
  ) {
    issues.push({
      path: [...path, 'timestamp'],
      code: 'DATE_TYPE_PARSE',
      message: `Could not parse ${String(embed.timestamp)}. Should be ISO8601.`,
    });
  }
  if (embed.footer !== undefined && embed.footer !== null) {
    const footer = isObject(embed.footer) ? embed.footer : {};
    checkString(issues, footer.text, [...path, 'footer', 'text'], 2048, { required: true, min: 1 });
    checkUrl(issues, footer.icon_url, [...path, 'footer', 'icon_url'], media);
  }
  if (embed.author !== undefined && embed.author !== null) {
    const author = isObject(embed.author) ? embed.author : {};
    checkString(issues, author.name, [...path, 'author', 'name'], 256, { required: true, min: 1 });
    checkUrl(issues, author.url, [...path, 'author', 'url'], http);
    checkUrl(issues, author.icon_url, [...path, 'author', 'icon_url'], media);
  }
  for (const key of ['image', 'thumbnail'] as const) {
    if (embed[key] === undefined || embed[key] === null) continue;
    const media_ = isObject(embed[key]) ? embed[key] : {};
    checkUrl(issues, media_.url, [...path, key, 'url'], media, true);
  }
  if (embed.fields !== undefined && embed.fields !== null) {
    if (!Array.isArray(embed.fields)) issues.push(wrongType([...path, 'fields'], 'array'));
    else {
      if (embed.fields.length > 25) issues.push(tooLong([...path, 'fields'], 25));
      embed.fields.forEach((field: unknown, i) => {
        const f = isObject(field) ? field : {};
        checkString(issues, f.name, [...path, 'fields', i, 'name'], 256, { required: true, min: 1 });
        checkString(issues, f.value, [...path, 'fields', i, 'value'], 1024, { required: true, min: 1 });
      });
    }
  }
}

function validateAllowedMentions(issues: Issue[], am: unknown, path: Path): void {
  if (am === undefined || am === null) return;
  if (!isObject(am)) {
    issues.push({ path, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' });
    return;
  }
  const parse = am.parse ?? [];
  if (!Array.isArray(parse)) issues.push(wrongType([...path, 'parse'], 'array'));
  else {
    parse.forEach((p: unknown, i) => {
      if (p !== 'users' && p !== 'roles' && p !== 'everyone') {
        issues.push({
          path: [...path, 'parse', i],
          code: 'BASE_TYPE_CHOICES',
          message: "Value must be one of {'roles', 'users', 'everyone'}.",
        });
      }
    });
  }
  for (const key of ['users', 'roles'] as const) {
    const list = am[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      issues.push(wrongType([...path, key], 'array'));
      continue;
    }
    if (list.length > 100) issues.push(tooLong([...path, key], 100));
    list.forEach((id: unknown, i) => {
      if (typeof id !== 'string' || !SNOWFLAKE.test(id))
        issues.push({ path: [...path, key, i], code: 'NUMBER_TYPE_COERCE', message: `Value "${String(id)}" is not snowflake.` });
    });
    if (Array.isArray(parse) && parse.includes(key) && list.length > 0) {
      issues.push({
        path,
        code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
        message: `parse:["${key}"] and ${key}: [ids] are mutually exclusive.`,
      });
    }
  }
  if (am.replied_user !== undefined && typeof am.replied_user !== 'boolean') issues.push(wrongType([...path, 'replied_user'], 'boolean'));
}

/**
 * Validates legacy message components: at most 5 action rows (type 1) of at most 5 buttons (type 2); a button has a
 * style 1-6, a label of at most 80 characters, and a custom_id (1-100 characters, unique in the message) unless it
 * is a link (style 5, with a url) or premium (style 6) button (components reference). Other components pass.
 */
function validateComponents(issues: Issue[], components: unknown, path: Path): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) {
    issues.push(wrongType(path, 'array'));
    return;
  }
  if (components.length > 5) issues.push(tooLong(path, 5));
  const seen = new Set<string>();
  components.forEach((row: unknown, i) => {
    if (!isObject(row) || row.type !== 1) return;
    const buttons = Array.isArray(row.components) ? row.components : [];
    if (buttons.length === 0 || buttons.length > 5) issues.push(badLength([...path, i, 'components'], 1, 5));
    buttons.forEach((button: unknown, j) => {
      if (!isObject(button) || button.type !== 2) return;
      const at = [...path, i, 'components', j];
      const style = button.style;
      if (!Number.isInteger(style) || (style as number) < 1 || (style as number) > 6)
        issues.push({ path: [...at, 'style'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of (1, 2, 3, 4, 5, 6).' });
      checkString(issues, button.label, [...at, 'label'], 80);
      if (style === 5) checkUrl(issues, button.url, [...at, 'url'], ['http', 'https', 'discord'], true);
      else if (style !== 6) {
        checkString(issues, button.custom_id, [...at, 'custom_id'], 100, { required: true, min: 1 });
        if (typeof button.custom_id === 'string') {
          if (seen.has(button.custom_id))
            issues.push({
              path: [...at, 'custom_id'],
              code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
              message: 'Component custom id cannot be duplicated',
            });
          seen.add(button.custom_id);
        }
      }
    });
  });
}

/** Components as Discord returns them: the objects sent, with `disabled` defaulting to false on buttons. */
export function normalizeComponents(components: unknown): Json[] {
  if (!Array.isArray(components)) return [];
  return components
    .filter(isObject)
    .map((row) =>
      Array.isArray(row.components)
        ? { ...row, components: row.components.filter(isObject).map((c) => (c.type === 2 ? { disabled: false, ...c } : { ...c })) }
        : { ...row },
    );
}

/** Validates a message create/edit body (channel message, interaction reply, follow-up or webhook edit). */
export function validateMessageBody(body: Json, path: Path = []): Issue[] {
  const issues: Issue[] = [];
  checkString(issues, body.content, [...path, 'content'], 2000);
  if (body.embeds !== undefined && body.embeds !== null) {
    if (!Array.isArray(body.embeds)) issues.push(wrongType([...path, 'embeds'], 'array'));
    else {
      if (body.embeds.length > 10) issues.push(tooLong([...path, 'embeds'], 10));
      body.embeds.forEach((e: unknown, i) => validateEmbed(issues, e, [...path, 'embeds', i]));
      const total = body.embeds.filter(isObject).reduce((sum, e) => sum + embedSize(e), 0);
      if (total > 6000)
        issues.push({ path: [...path, 'embeds'], code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' });
    }
  }
  const nonce = body.nonce;
  if (nonce !== undefined && nonce !== null) {
    if (typeof nonce === 'string') {
      if (length(nonce) > 25) issues.push(tooLong([...path, 'nonce'], 25));
    } else if (!Number.isSafeInteger(nonce)) {
      issues.push({ path: [...path, 'nonce'], code: 'NONCE_TYPE_INVALID', message: 'Nonce must be an integer or a string.' });
    }
  }
  if (body.flags !== undefined && body.flags !== null && !Number.isInteger(body.flags)) issues.push(wrongType([...path, 'flags'], 'int'));
  validateAllowedMentions(issues, body.allowed_mentions, [...path, 'allowed_mentions']);
  validateComponents(issues, body.components, [...path, 'components']);
  if (body.message_reference !== undefined && body.message_reference !== null) {
    const ref = isObject(body.message_reference) ? body.message_reference : {};
    if (typeof ref.message_id !== 'string' || !SNOWFLAKE.test(ref.message_id))
      issues.push(required([...path, 'message_reference', 'message_id']));
  }
  return issues;
}

/** True when a create carries nothing Discord would render (code 50006). */
export function isEmptyMessage(body: Json, fileCount: number): boolean {
  const hasContent = typeof body.content === 'string' && body.content.trim() !== '';
  const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
  const hasComponents = Array.isArray(body.components) && body.components.length > 0;
  const hasStickers = Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0;
  return !hasContent && !hasEmbeds && !hasComponents && !hasStickers && body.poll == null && fileCount === 0;
}

/** Adds the server-side defaults Discord puts on embeds it returns. */
export function normalizeEmbeds(embeds: unknown): Json[] {
  if (!Array.isArray(embeds)) return [];
  return embeds.filter(isObject).map((e) => ({ type: 'rich', ...e, content_scan_version: 0 }));
}

/**
 * Works out who a message notifies. Mentions in embeds never ping; without `allowed_mentions`
 * everything in the content pings, with it only what `parse` or the id lists allow.
 */
export function computePinged(content: string, allowedMentions: unknown, replyAuthorId: string | null): Pinged {
  const unique = (xs: string[]): string[] => [...new Set(xs)];
  const users = unique([...content.matchAll(/<@!?(\d{17,20})>/g)].map((m) => m[1]!));
  const roles = unique([...content.matchAll(/<@&(\d{17,20})>/g)].map((m) => m[1]!));
  const everyone = /@(everyone|here)\b/.test(content);
  if (!isObject(allowedMentions)) {
    return { everyone, users: unique(replyAuthorId ? [...users, replyAuthorId] : users), roles };
  }
  const parse = Array.isArray(allowedMentions.parse) ? allowedMentions.parse : [];
  const allowUsers = Array.isArray(allowedMentions.users) ? allowedMentions.users : [];
  const allowRoles = Array.isArray(allowedMentions.roles) ? allowedMentions.roles : [];
  const pingedUsers = parse.includes('users') ? users : users.filter((u) => allowUsers.includes(u));
  if (replyAuthorId && allowedMentions.replied_user === true) pingedUsers.push(replyAuthorId);
  return {
    everyone: everyone && parse.includes('everyone'),
    users: unique(pingedUsers),
    roles: parse.includes('roles') ? roles : roles.filter((r) => allowRoles.includes(r)),
  };
}
