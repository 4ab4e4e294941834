import { describe, expect, it } from 'vitest';
import { formatForumTagName, normalizeTagName, planForumTags, type ForumTag } from '../../src/core/forum-tags.js';

const tag = (id: string, name: string, moderated = false): ForumTag => ({ id, name, moderated });

describe('formatForumTagName and normalizeTagName', () => {
  it.each([
    ['scaling laws', 'scaling laws'],
    ['reinforcement learning from human feedback', 'reinforcement…'],
    ['  quantisation \n', 'quantisation'],
  ])('given the topic %j, then the tag name is %j (at most 20 characters)', (topic, name) => {
    expect(formatForumTagName(topic)).toBe(name);
    expect(formatForumTagName(topic).length).toBeLessThanOrEqual(20);
  });

  it.each([
    ['NLP', 'nlp'],
    ['Scaling  Laws', 'scaling laws'],
    ['scaling-laws', 'scaling laws'],
    ['Réseaux', 'reseaux'],
    ['reinforcement…', 'reinforcement'],
  ])('given the tag name %j, then it compares as %j', (name, normal) => {
    expect(normalizeTagName(name)).toBe(normal);
  });
});

describe('planForumTags', () => {
  const forum = [tag('1', 'NLP'), tag('2', 'Scaling Laws'), tag('3', 'vision'), tag('4', 'staff pick', true)];

  // [case, topics, canManage, expected]
  it.each([
    ['existing tags match by normalised name, in topic order', ['scaling laws', 'nlp'], false, { apply: ['2', '1'], create: [] }],
    ['a topic without a tag is left out when the bot may not manage the forum', ['nlp', 'robotics'], false, { apply: ['1'], create: [] }],
    [
      'a topic without a tag is created when the bot may manage the forum',
      ['nlp', 'robotics'],
      true,
      { apply: ['1'], create: ['robotics'] },
    ],
    ['a moderated tag is never applied', ['staff pick', 'vision'], true, { apply: ['3'], create: [] }],
    ['the same tag twice counts once', ['NLP', 'nlp', ' Nlp '], false, { apply: ['1'], create: [] }],
    [
      'at most 5 tags in all',
      ['nlp', 'vision', 'scaling laws', 'robotics', 'agents', 'speech', 'math'],
      true,
      { apply: ['1', '3', '2'], create: ['robotics', 'agents'] },
    ],
    ['no topics, no tags', [], true, { apply: [], create: [] }],
  ])('given %s', (_case, topics, canManage, expected) => {
    expect(planForumTags(topics, forum, { canManage })).toEqual(expected);
  });

  it('given a forum that already has 20 tags, then no tag is created even with Manage Channels', () => {
    const full = Array.from({ length: 20 }, (_, i) => tag(String(i), `topic ${i}`));
    expect(planForumTags(['robotics', 'topic 3'], full, { canManage: true })).toEqual({ apply: ['3'], create: [] });
    const nineteen = full.slice(0, 19);
    expect(planForumTags(['robotics', 'agents'], nineteen, { canManage: true })).toEqual({ apply: [], create: ['robotics'] });
  });
});
