import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../../src/core/state.js';
import { addTopic, MAX_TOPICS, removeTopic, selectAudience } from '../../src/core/subscriptions.js';

const AT = '2026-06-22T09:00:00.000Z';
const LATER = '2026-06-23T09:00:00.000Z';
const member = (topics: string[], dm = false): Subscriber => ({ topics, dm, updatedAt: AT });

describe('addTopic', () => {
  it.each<[string, Subscriber | null, string, boolean | undefined, ReturnType<typeof addTopic>]>([
    ['a new member', null, 'llm', undefined, { subscriber: { topics: ['llm'], dm: false, updatedAt: LATER }, outcome: 'added' }],
    ['a new member asking for DMs', null, 'llm', true, { subscriber: { topics: ['llm'], dm: true, updatedAt: LATER }, outcome: 'added' }],
    [
      'a second topic',
      member(['llm']),
      'rag',
      undefined,
      { subscriber: { topics: ['llm', 'rag'], dm: false, updatedAt: LATER }, outcome: 'added' },
    ],
    ['a topic followed already', member(['llm']), 'llm', undefined, { subscriber: member(['llm']), outcome: 'already' }],
    [
      'a topic followed already, switching to DMs',
      member(['llm']),
      'llm',
      true,
      { subscriber: { topics: ['llm'], dm: true, updatedAt: LATER }, outcome: 'already' },
    ],
  ])('given %s, then the record and the outcome are as expected', (_name, current, topic, dm, expected) => {
    expect(addTopic(current, topic, LATER, dm)).toEqual(expected);
  });

  it('given a member at the limit, then a new topic is refused and nothing changes', () => {
    const full = member(Array.from({ length: MAX_TOPICS }, (_, i) => `t${i}`));
    expect(addTopic(full, 'one more', LATER)).toEqual({ subscriber: full, outcome: 'limit' });
  });
});

describe('removeTopic', () => {
  it.each<[string, Subscriber | null, ReturnType<typeof removeTopic>]>([
    ['one of two topics', member(['llm', 'rag']), { subscriber: { topics: ['rag'], dm: false, updatedAt: LATER }, removed: true }],
    ['the last topic (the member is forgotten)', member(['llm']), { subscriber: null, removed: true }],
    ['a topic not followed', member(['rag']), { subscriber: member(['rag']), removed: false }],
    ['an unknown member', null, { subscriber: null, removed: false }],
  ])('given %s, then the record and the outcome are as expected', (_name, current, expected) => {
    expect(removeTopic(current, 'llm', LATER)).toEqual(expected);
  });
});

describe('selectAudience', () => {
  it("given a server's members, then those whose topics match are mentioned or sent a DM as they asked", () => {
    const members = new Map([
      ['1', member(['diffusion'])],
      ['2', member(['diffusion', 'agents'], true)],
      ['3', member(['retrieval'])],
    ]);
    const paper = { title: 'Faster diffusion for agents', abstract: 'We study it.' };
    expect(selectAudience(paper, members)).toEqual({
      mentions: [{ userId: '1', topics: ['diffusion'] }],
      direct: [{ userId: '2', topics: ['diffusion', 'agents'] }],
    });
  });
});
