import { describe, expect, it } from 'vitest';
import {
  COMMON_TIME_ZONES,
  describeSchedule,
  findClosestTimeZone,
  parseFeedInput,
  parseOrder,
  parseSize,
  parseTimeOfDay,
  parseTimeZone,
  parseTopicList,
  readTimeOfDay,
  suggestTimeZones,
} from '../../src/core/feed-input.js';

const ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone')];

describe('parseTimeOfDay', () => {
  it.each([
    ['09:00', '0 9 * * *'],
    ['9:05', '5 9 * * *'],
    [' 23:59 ', '59 23 * * *'],
    ['00:00', '0 0 * * *'],
    ['8h30', '30 8 * * *'],
  ])('given %j, then the daily cron is %j', (raw, cron) => {
    expect(parseTimeOfDay(raw)).toEqual({ ok: true, value: cron });
  });

  it.each(['25:00', '24:00', '12:60', '9', '9:5', 'noon', '', '-1:00', '12:00 pm'])(
    'given %j, then it is refused with the 24-hour rule',
    (raw) => {
      const result = parseTimeOfDay(raw);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(/is not a time of day; use HH:MM on a 24-hour clock, from 00:00 to 23:59/);
    },
  );

  it('given markdown in a bad time, then the echo is escaped', () => {
    const result = parseTimeOfDay('**25**:00');
    expect(!result.ok && result.reason).toContain('"\\*\\*25\\*\\*:00"');
  });
});

describe('readTimeOfDay and describeSchedule', () => {
  it.each([
    ['30 8 * * *', '08:30'],
    ['0 17 * * *', '17:00'],
    ['0 9 * * 1-5', null],
    ['0 0 9 * * *', null],
  ])('given %j, then the time of day is %j', (cron, time) => {
    expect(readTimeOfDay(cron)).toBe(time);
  });

  it('given a daily schedule or another, then it reads as a time of day or as its cron expression', () => {
    expect(describeSchedule({ cron: '30 8 * * *', timezone: 'Europe/Paris' })).toBe('every day at 08:30 (Europe/Paris)');
    expect(describeSchedule({ cron: '0 9 * * 1-5', timezone: 'UTC' })).toBe('cron `0 9 * * 1-5` (UTC)');
  });
});

describe('parseTimeZone', () => {
  it.each([
    ['Europe/Paris', 'Europe/Paris'],
    ['europe/paris', 'Europe/Paris'],
    ['UTC', 'UTC'],
    [' America/New_York ', 'America/New_York'],
  ])('given %j, then it is the zone %j', (raw, zone) => {
    expect(parseTimeZone(raw, ZONES)).toEqual({ ok: true, value: zone });
  });

  it.each([
    ['Europe/Pariss', 'Europe/Paris'],
    ['America/New York', 'America/New_York'],
    ['Asia/Tokio', 'Asia/Tokyo'],
    ['berlin', 'Europe/Berlin'],
  ])('given the typo %j, then it is unknown and %j is suggested', (raw, closest) => {
    const result = parseTimeZone(raw, ZONES);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain('is not a time zone Paperboy knows.');
    expect(!result.ok && result.reason).toContain(`Did you mean **${closest}**?`);
  });

  it('given nothing like a zone, then no guess is made and examples are given', () => {
    const result = parseTimeZone('qqqqqqqqqqqq', ZONES);
    expect(!result.ok && result.reason).toBe(
      '`timezone`: "qqqqqqqqqqqq" is not a time zone Paperboy knows. Use a name like "UTC", "Europe/Paris" or "America/New_York". Pick one of the suggestions as you type.',
    );
    expect(findClosestTimeZone('', ZONES)).toBeNull();
  });
});

describe('suggestTimeZones', () => {
  it('given nothing typed, then the common zones, all of them real', () => {
    expect(suggestTimeZones('', ZONES)).toEqual(COMMON_TIME_ZONES);
    for (const zone of COMMON_TIME_ZONES) expect(parseTimeZone(zone, ZONES)).toEqual({ ok: true, value: zone });
  });

  it('given the start of a city, then zones of that city come first, then those containing it, at most 25', () => {
    expect(suggestTimeZones('par', ZONES)[0]).toBe('Europe/Paris');
    expect(suggestTimeZones('new y', ZONES)).toEqual(['America/New_York']);
    expect(suggestTimeZones('america', ZONES)).toHaveLength(25);
    expect(suggestTimeZones('zzz', ZONES)).toEqual([]);
  });
});

describe('parseSize and parseOrder', () => {
  it.each([
    [1, true],
    [10, true],
    [0, false],
    [11, false],
    [2.5, false],
    [-3, false],
  ])('given a size of %j, then accepted is %j', (size, ok) => {
    const result = parseSize(size);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toBe(`\`size\`: ${size} papers is not possible; a digest posts 1 to 10 papers.`);
  });

  it.each([
    ['corpus', 'corpus'],
    ['Newest', 'newest'],
    ['upvotes', 'upvotes'],
    ['random', null],
  ])('given the order %j, then it reads %j', (raw, order) => {
    expect(parseOrder(raw)).toEqual(
      order ? { ok: true, value: order } : { ok: false, reason: expect.stringContaining('use corpus, newest, upvotes') },
    );
  });
});

describe('parseTopicList', () => {
  it.each([
    ['speech, audio', ['speech', 'audio']],
    ['Scaling Laws,  scaling laws , RLHF', ['scaling laws', 'rlhf']],
    ['vision,,', ['vision']],
    ['none', []],
    [' NONE ', []],
  ])('given %j, then the topics are %j', (raw, topics) => {
    expect(parseTopicList(raw, 'topics')).toEqual({ ok: true, value: topics });
  });

  it.each([
    [',,', 'give topics separated by commas'],
    ['speech, !!', '"!!": A topic needs letters or digits'],
    ['speech, the', 'A topic needs a word less common than "the"'],
    [Array.from({ length: 26 }, (_, i) => `topic ${i}`).join(','), 'at most 25 topics (26 given)'],
  ])('given %j, then it is refused: %s', (raw, reason) => {
    const result = parseTopicList(raw, 'exclude');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^`exclude`: /);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('parseFeedInput', () => {
  it('given nothing, then nothing changes', () => {
    expect(parseFeedInput({}, ZONES)).toEqual({ ok: true, value: {} });
  });

  it('given every option, then each is read', () => {
    expect(
      parseFeedInput(
        { time: '07:15', timezone: 'asia/tokyo', size: 5, order: 'upvotes', topics: 'speech', exclude: 'vision, robots' },
        ZONES,
      ),
    ).toEqual({
      ok: true,
      value: { cron: '15 7 * * *', timezone: 'Asia/Tokyo', size: 5, order: 'upvotes', include: ['speech'], exclude: ['vision', 'robots'] },
    });
  });

  it('given several bad options, then every reason is given, in option order', () => {
    const result = parseFeedInput({ time: '25:00', timezone: 'Europe/Pariss', size: 11, topics: 'ok topic' }, ZONES);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reasons.map((r) => r.split(':')[0])).toEqual(['`time`', '`timezone`', '`size`']);
  });
});

describe('feed options of /digest setup', () => {
  it('given weekly and vote_emoji, then they become feed options; "off" clears the best-of; a bad emoji gives its reason', () => {
    expect(parseFeedInput({ weekly: ' 0 9  * * 1 ', vote_emoji: '⭐' }, ['UTC'])).toEqual({
      ok: true,
      value: { options: { weekly: '0 9 * * 1', vote_emoji: '⭐' } },
    });
    expect(parseFeedInput({ weekly: 'OFF' }, ['UTC'])).toEqual({ ok: true, value: { options: { weekly: null } } });
    const bad = parseFeedInput({ vote_emoji: 'thumbs', weekly: ' ' }, ['UTC']);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.reasons[0]).toMatch(/^`weekly`: give a cron expression/);
      expect(bad.reasons[1]).toMatch(/^`vote_emoji`: "thumbs" is not one emoji/);
    }
  });
});
