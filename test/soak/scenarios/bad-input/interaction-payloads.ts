import type { InteractInput } from '../../../support/fake-discord/index.js';
import { HOSTILE, type Json, MANAGE_GUILD, ODD_ONLY, pick, type Random } from './common.js';

// Interaction payloads: valid interactions as members send them, and the ways to corrupt one, at the value level
// (discord.js still parses it) and at the structure level (fields removed, nulled or of the wrong type).

/** Queries members type into `/paper`. */
export const QUERIES = ['scaling laws', 'quantization', 'checkpoint', 'densing law', 'benchmark', 'mixture of experts', 'llm'];
const TOPICS = ['scaling laws', 'quantization', 'checkpointing', 'benchmarks', 'pretraining'];
/** The members who send interactions. */
export const USERS = Array.from({ length: 40 }, (_, i) => ({ id: String(500000000000000000n + BigInt(i)) }));

/** A valid interaction, as a member could really send it. */
export function validInput(random: Random): InteractInput {
  const user = pick(random, USERS);
  const query = pick(random, QUERIES);
  const topic = pick(random, TOPICS);
  switch (Math.floor(random() * 8)) {
    case 0:
      return { type: 'command', name: 'paper', options: random() < 0.5 ? { query } : { query, public: random() < 0.5 }, user };
    case 1:
      return {
        type: 'autocomplete',
        name: 'paper',
        options: { query: query.slice(0, 1 + Math.floor(random() * 6)) },
        focused: 'query',
        user,
      };
    case 2:
      return { type: 'command', name: 'subscribe', options: random() < 0.5 ? { topic } : { topic, dm: false }, user };
    case 3:
      return { type: 'autocomplete', name: 'subscribe', options: { topic: topic.slice(0, 3) }, focused: 'topic', user };
    case 4:
      return { type: 'command', name: 'unsubscribe', options: { topic }, user };
    case 5:
      return { type: 'autocomplete', name: 'unsubscribe', options: { topic: '' }, focused: 'topic', user };
    case 6:
      return { type: 'command', name: 'subscriptions', user };
    default:
      return {
        type: 'command',
        name: 'digest',
        subcommand: random() < 0.1 ? 'now' : pick(random, ['preview', 'status']),
        user,
        memberPermissions: MANAGE_GUILD,
      };
  }
}

const data = (p: Json): Json => p.data as Json;

function leafOptions(p: Json): Json[] {
  let options = data(p).options as Json[] | undefined;
  while (options?.length === 1 && (options[0]!.type === 1 || options[0]!.type === 2)) options = options[0]!.options as Json[] | undefined;
  return options ?? [];
}

const stringOption = (p: Json): Json | undefined => leafOptions(p).find((o) => o.type === 3);
const hasString = (i: InteractInput) => ['paper', 'subscribe', 'unsubscribe'].includes(i.name);
const isCommand = (i: InteractInput) => i.type === 'command';

/** A way to corrupt a payload, and which interactions it fits. */
export interface Corruption {
  name: string;
  fits: (input: InteractInput) => boolean;
  mutate: (payload: Json, random: Random) => Json;
}

function setString(value: (random: Random) => unknown): Corruption['mutate'] {
  return (p, random) => {
    stringOption(p)!.value = value(random);
    return p;
  };
}

function asDirectMessage(p: Json): Json {
  const { guild_id: _g, guild: _guild, guild_locale: _l, member, ...rest } = p;
  return { ...rest, user: (member as Json).user, context: 1 };
}

/** Value-level corruptions: discord.js still parses them, so each must get a clean answer. */
export const VALUE_CORRUPTIONS: Corruption[] = [
  {
    name: 'string option holds a number, boolean, object or array',
    fits: hasString,
    mutate: setString((r) => pick(r, [42, -1, 3.5, true, false, { a: 1 }, [1, 'x'], null])),
  },
  {
    name: 'string option of 10,000 characters',
    fits: hasString,
    mutate: setString((r) =>
      Array.from({ length: 400 }, () => pick(r, HOSTILE))
        .join('')
        .padEnd(10_000, 'x')
        .slice(0, 10_000),
    ),
  },
  { name: 'empty string option', fits: hasString, mutate: setString(() => '') },
  {
    name: 'string option of only emoji, zero-width, RTL or control characters',
    fits: hasString,
    mutate: setString((r) => pick(r, ODD_ONLY)),
  },
  {
    name: 'string option with mentions, masked links or code fences',
    fits: hasString,
    mutate: setString((r) => pick(r, HOSTILE.slice(0, 17))),
  },
  {
    name: 'boolean option of the wrong type',
    fits: (i) => isCommand(i) && (i.name === 'paper' || i.name === 'subscribe'),
    mutate: (p, r) => {
      const name = data(p).name === 'paper' ? 'public' : 'dm';
      const rest = leafOptions(p).filter((o) => o.name !== name);
      data(p).options = [...rest, { name, type: 5, value: pick(r, ['yes', 1, { on: true }, null]) }];
      return p;
    },
  },
  {
    name: 'option type changed',
    fits: hasString,
    mutate: (p, r) => {
      stringOption(p)!.type = pick(r, [4, 5, 10, 6]);
      return p;
    },
  },
  {
    name: 'unknown option name',
    fits: hasString,
    mutate: (p) => {
      stringOption(p)!.name = 'qwerty';
      return p;
    },
  },
  {
    name: 'required option missing',
    fits: (i) => isCommand(i) && hasString(i),
    mutate: (p) => {
      delete data(p).options;
      return p;
    },
  },
  {
    name: 'extra and duplicate options',
    fits: hasString,
    mutate: (p) => {
      const s = stringOption(p)!;
      data(p).options = [...leafOptions(p), { name: 'bogus', type: 3, value: 'x' }, { ...s, value: 'second copy', focused: undefined }];
      return p;
    },
  },
  {
    name: 'focused on the wrong option, on two, or on none',
    fits: (i) => i.type === 'autocomplete',
    mutate: (p, r) => {
      const roll = r();
      const options = leafOptions(p);
      if (roll < 0.34) for (const o of options) delete o.focused;
      else if (roll < 0.67) {
        for (const o of options) delete o.focused;
        data(p).options = [...options, { name: data(p).name === 'paper' ? 'public' : 'dm', type: 5, value: true, focused: true }];
      } else data(p).options = [...options, { name: 'bogus', type: 3, value: 'zz', focused: true }];
      return p;
    },
  },
  {
    name: '/digest without a subcommand',
    fits: (i) => i.name === 'digest',
    mutate: (p, r) => {
      if (r() < 0.5) delete data(p).options;
      else data(p).options = [];
      return p;
    },
  },
  {
    name: '/digest with an unknown subcommand',
    fits: (i) => i.name === 'digest',
    mutate: (p, r) => {
      (data(p).options as Json[])[0]!.name = pick(r, ['explode', 'NOW', '']);
      return p;
    },
  },
  {
    name: 'unknown command name',
    fits: () => true,
    mutate: (p, r) => {
      data(p).name = pick(r, ['frobnicate', 'paper2', 'PAPER', 'digest-now', '@everyone', '`x`']);
      return p;
    },
  },
  { name: 'DM (guild_id removed)', fits: () => true, mutate: asDirectMessage },
  {
    name: 'member missing',
    fits: () => true,
    mutate: (p) => {
      const member = p.member as Json;
      delete p.member;
      return { ...p, user: member.user };
    },
  },
  {
    name: '/digest with member permissions 0 or empty',
    fits: (i) => i.name === 'digest',
    mutate: (p, r) => {
      (p.member as Json).permissions = pick(r, ['0', '', '000', '1024', ' ', '2048']);
      return p;
    },
  },
];

/** How a structure-level corruption changes a field. */
export type Op = 'removed' | 'null' | 'number' | 'string' | 'container';
/** The payload fields a structure-level corruption targets. */
export const STRUCTURAL_PATHS = [
  'type',
  'data',
  'data.type',
  'data.name',
  'data.id',
  'data.options',
  'data.options.0',
  'data.options.0.name',
  'data.options.0.type',
  'data.resolved',
  'member',
  'member.user',
  'member.user.id',
  'member.permissions',
  'member.roles',
  'guild_id',
  'guild',
  'channel',
  'channel.type',
  'channel_id',
  'application_id',
  'app_permissions',
  'entitlements',
  'locale',
  'version',
  'context',
  'authorizing_integration_owners',
];
/** Every {@link Op}. */
export const OPS: Op[] = ['removed', 'null', 'number', 'string', 'container'];

/** Removes the field at `path`, nulls it, or gives it a value of the wrong type. */
export function corruptAt(payload: Json, path: string, op: Op): Json {
  const keys = path.split('.');
  let node: unknown = payload;
  for (const key of keys.slice(0, -1)) {
    node = (node as Json)[key];
    if (typeof node !== 'object' || node === null) return payload;
  }
  const parent = node as Json;
  const last = keys.at(-1)!;
  if (op === 'removed') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (op === 'null') parent[last] = null;
  else if (op === 'number') parent[last] = 12345;
  else if (op === 'string') parent[last] = 'not-a-snowflake';
  else parent[last] = Array.isArray(parent[last]) ? { weird: true } : [1, 'x', null];
  return payload;
}
