import { ButtonStyle, ComponentType, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READING_LIST_CAP } from '../../../src/core/reading-list.js';
import { type Paper, paperId } from '../../../src/core/paper.js';
import { matchTopics } from '../../../src/core/topics.js';
import { loadSeedPapers } from '../../eval/load-corpora.js';
import { type CommandHarness, startCommandHarness } from '../../support/command-harness.js';
import type { InteractionOutcome, StoredMessage } from '../../support/fake-discord/index.js';

// `/reading-list` through the real router and discord.js client against the fake Discord, over a memory store: the
// seed corpus plus a paper whose title tries to ping and to inject a link.

const GUILD = '170000000000000001';
const OTHER_GUILD = '170000000000000002';
const CHANNEL = '170000000000000011';
const OTHER_CHANNEL = '170000000000000012';
const ALICE = { id: '370000000000000001', username: 'alice' };
const BOB = { id: '370000000000000002', username: 'bob' };
const CLOSED = { id: '370000000000000003', username: 'closed' };
const ARXIV_ID = '2411.04997';
const HOSTILE = '@everyone read [this](https://evil.example) **now** <@123456789012345678>';

let h: CommandHarness;
let papers: Paper[];

const contentOf = (outcome: InteractionOutcome | StoredMessage): string =>
  String(('data' in outcome ? outcome.data?.content : outcome.content) ?? '');
const run = (sub: string, options: Record<string, string> = {}, user = ALICE, guildId = GUILD) =>
  h.server.interact({
    type: 'command',
    name: 'reading-list',
    subcommand: sub,
    options,
    guildId,
    channelId: guildId === GUILD ? CHANNEL : OTHER_CHANNEL,
    user,
  });
const buttonsOf = (message: StoredMessage) =>
  message.components.flatMap((row) => (row.components as Array<{ custom_id: string; label: string; disabled?: boolean }>) ?? []);
const descriptionOf = (message: StoredMessage) => (message.embeds[0] as { description?: string } | undefined)?.description ?? '';
const noPings = { everyone: false, users: [], roles: [] };

beforeAll(async () => {
  const seed = loadSeedPapers();
  papers = [
    ...seed,
    { ...seed[0]!, id: paperId(HOSTILE), title: HOSTILE, arxivId: undefined, url: 'javascript:alert(1)' },
    { ...seed[1]!, id: ARXIV_ID, title: 'A Paper With an arXiv Id', arxivId: ARXIV_ID, githubRepo: 'https://github.com/o/r_(x)' },
  ];
  h = await startCommandHarness({
    guilds: [
      { id: GUILD, channels: [{ id: CHANNEL, name: 'papers' }] },
      { id: OTHER_GUILD, channels: [{ id: OTHER_CHANNEL, name: 'papers' }] },
    ],
    papers,
  });
  h.server.addUser(ALICE);
  h.server.addUser(BOB);
  h.server.addUser({ ...CLOSED, dmsOpen: false });
}, 60_000);
afterAll(async () => {
  await h.close();
});

describe('/reading-list save', () => {
  it('given a half-typed title, then autocomplete suggests the paper, with its id as the value', async () => {
    const outcome = await h.server.interact({
      type: 'autocomplete',
      name: 'reading-list',
      subcommand: 'save',
      options: { paper: 'densing la' },
      focused: 'paper',
      guildId: GUILD,
      channelId: CHANNEL,
      user: ALICE,
    });
    const choices = outcome.data!.choices as Array<{ name: string; value: string }>;
    expect(choices[0]).toEqual({ name: 'Densing Law of LLMs', value: papers.find((p) => p.title === 'Densing Law of LLMs')!.id });
  });

  it('given a picked paper, then it is saved once, ephemerally, and saving it again says it is already there', async () => {
    const target = papers.find((p) => p.title === 'Densing Law of LLMs')!;
    const first = await run('save', { paper: target.id });
    expect(first.ephemeral).toBe(true);
    expect(contentOf(first)).toBe(
      `Saved **Densing Law of LLMs** to your reading list (1/${READING_LIST_CAP}). See it with \`/reading-list show\`.`,
    );
    const again = await run('save', { paper: target.id });
    expect(contentOf(again)).toBe(`**Densing Law of LLMs** is already in your reading list (1/${READING_LIST_CAP}).`);
    expect(h.context.store.readingList(GUILD, ALICE.id).map((e) => e.paperId)).toEqual([target.id]);
    // Per server and per member: nobody else's list changed.
    expect(h.context.store.readingListCount(OTHER_GUILD, ALICE.id)).toBe(0);
    expect(h.context.store.readingListCount(GUILD, BOB.id)).toBe(0);
  });

  it('given words that match no paper, then nothing is saved and the member is told to pick a suggestion', async () => {
    const outcome = await run('save', { paper: 'zzqxv qqqq' }, BOB);
    expect(contentOf(outcome)).toMatch(/^No paper of the corpus matches that/);
    expect(h.context.store.readingListCount(GUILD, BOB.id)).toBe(0);
  });

  it('given a list at its cap, then another paper is refused with the cap stated and the list unchanged', async () => {
    const member = { id: '370000000000000009', username: 'hoarder' };
    for (let i = 0; i < READING_LIST_CAP; i++)
      await h.context.store.saveToReadingList(GUILD, member.id, {
        paperId: `2401.${String(i).padStart(5, '0')}`,
        savedAt: '2026-06-01T00:00:00.000Z',
      });
    const outcome = await run('save', { paper: papers[1]!.id }, member);
    expect(contentOf(outcome)).toMatch(
      new RegExp(`^Your reading list is full: it holds ${READING_LIST_CAP} papers, the most it can, so \\*\\*`),
    );
    expect(h.context.store.readingListCount(GUILD, member.id)).toBe(READING_LIST_CAP);
  });
});

describe('/reading-list show', () => {
  it('given seven saved papers, then the first page shows five, newest first, with remove buttons and paging; Next and Previous page through', async () => {
    const saved = papers.slice(0, 7);
    for (const [i, paper] of saved.entries()) {
      h.clock.advance(60_000);
      await run('save', { paper: paper.id }, BOB);
      expect(h.context.store.readingListCount(GUILD, BOB.id), String(i)).toBe(i + 1);
    }
    const shown = await run('show', {}, BOB);
    expect(shown.ephemeral).toBe(true);
    const message = shown.original!;
    const newestFirst = [...saved].reverse();
    expect(descriptionOf(message).split('\n')).toHaveLength(5);
    expect(descriptionOf(message)).toContain(`**1.** [${newestFirst[0]!.title}]`);
    expect((message.embeds[0] as { footer: { text: string } }).footer.text).toMatch(/^Papers 1–5 of 7 · a list keeps at most 200/);
    expect(buttonsOf(message).map((b) => b.label)).toEqual([
      'Remove 1',
      'Remove 2',
      'Remove 3',
      'Remove 4',
      'Remove 5',
      'Previous',
      'Next',
    ]);
    expect(buttonsOf(message).find((b) => b.label === 'Previous')!.disabled).toBe(true);
    for (const b of buttonsOf(message)) expect(b.custom_id.length).toBeLessThanOrEqual(100);

    const next = buttonsOf(message).find((b) => b.label === 'Next')!;
    const page2 = await h.server.interact({ type: 'button', messageId: message.id, customId: next.custom_id });
    expect(page2.callbackType).toBe(7);
    expect(descriptionOf(page2.original!)).toContain(`**6.** [${newestFirst[5]!.title}]`);
    expect(descriptionOf(page2.original!).split('\n')).toHaveLength(2);
    expect(buttonsOf(page2.original!).map((b) => b.label)).toEqual(['Remove 6', 'Remove 7', 'Previous', 'Next']);
    expect(buttonsOf(page2.original!).find((b) => b.label === 'Next')!.disabled).toBe(true);

    const previous = buttonsOf(page2.original!).find((b) => b.label === 'Previous')!;
    const page1 = await h.server.interact({ type: 'button', messageId: message.id, customId: previous.custom_id });
    expect(descriptionOf(page1.original!)).toContain('**1.** ');
  });

  it('given a click on Remove, then that paper leaves the list and the page is shown again without it', async () => {
    const before = h.context.store.readingList(GUILD, BOB.id).map((e) => e.paperId);
    const older = await run('show', {}, BOB);
    const shown = await run('show', {}, BOB);
    const remove2 = buttonsOf(shown.original!).find((b) => b.label === 'Remove 2')!;
    const removed = papers.find((p) => p.id === before[1])!;
    const click = await h.server.interact({ type: 'button', messageId: shown.original!.id, customId: remove2.custom_id });
    expect(click.callbackType).toBe(7);
    expect(contentOf(click.original!)).toBe(`Removed **${removed.title}** from your reading list.`);
    expect(h.context.store.readingList(GUILD, BOB.id).map((e) => e.paperId)).toEqual(before.filter((id) => id !== removed.id));
    expect(descriptionOf(click.original!)).not.toContain(removed.title);
    // The same button on a page shown before the removal (stale): nothing more is removed.
    const stale = await h.server.interact({ type: 'button', messageId: older.original!.id, customId: remove2.custom_id });
    expect(contentOf(stale.original!)).toBe('That paper was already removed.');
    expect(h.context.store.readingListCount(GUILD, BOB.id)).toBe(before.length - 1);
  });

  it("given a button naming another member's list, when someone else clicks it, then nothing changes and they are told it is not theirs", async () => {
    // A message in the channel carrying Bob's button (an ephemeral one can only be clicked by the member it was shown to).
    const bobsFirst = h.context.store.readingList(GUILD, BOB.id)[0]!.paperId;
    const shown = await run('show', {}, BOB);
    const removeId = buttonsOf(shown.original!).find((b) => b.label === 'Remove 1')!.custom_id;
    const posted = (await h.client.rest.post(Routes.channelMessages(CHANNEL), {
      body: {
        content: 'a copy of the buttons',
        components: [
          {
            type: ComponentType.ActionRow,
            components: [{ type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'x', custom_id: removeId }],
          },
        ],
      },
    })) as { id: string };
    const click = await h.server.interact({ type: 'button', messageId: posted.id, customId: removeId, user: ALICE });
    expect(click.ephemeral).toBe(true);
    expect(contentOf(click)).toBe('This reading list is not yours: nothing was changed. See your own with `/reading-list show`.');
    expect(h.context.store.readingList(GUILD, BOB.id)[0]!.paperId).toBe(bobsFirst);
  });

  it('given an empty list, then it says so and how to save a paper', async () => {
    const outcome = await run('show', {}, CLOSED);
    expect(contentOf(outcome)).toBe('Your reading list is empty. Save a paper with `/reading-list save paper:`.');
    expect(outcome.original!.components).toEqual([]);
  });

  it('given a saved paper whose title tries to ping and to link, then it is shown escaped, linked only to a safe address, and pings nobody', async () => {
    await run('save', { paper: paperId(HOSTILE) }, ALICE);
    const shown = await run('show', {}, ALICE);
    const line = descriptionOf(shown.original!).split('\n')[0]!;
    expect(line).toContain('@\u200Beveryone read \\[this\\](https://evil.example) \\*\\*now\\*\\* \\<\u200B@123456789012345678\\>');
    expect(line).toMatch(/\]\(https:\/\/huggingface\.co\/papers\?q=/);
    expect(line).not.toContain('javascript:');
    expect(shown.original!.pinged).toEqual(noPings);
  });
});

describe('/reading-list export', () => {
  it('given a saved list, then it is sent by direct message as a markdown file, newest first, with escaped titles and safe links', async () => {
    h.clock.advance(60_000);
    await run('save', { paper: ARXIV_ID }, ALICE);
    const outcome = await run('export', {}, ALICE);
    expect(outcome.callbackType).toBe(5);
    const final = await outcome.waitForFinal(15_000);
    expect(final.content).toBe('Sent your reading list (3 papers) to you by direct message.');
    const [dm] = h.server.dmMessages(ALICE.id);
    expect(dm!.content).toBe('Your Paperboy reading list (3 papers), newest first.');
    expect(dm!.pinged).toEqual(noPings);
    expect(dm!.attachments.map((a) => a.filename)).toEqual(['reading-list.md']);
    const markdown = dm!.attachments[0]!.data!.toString('utf8');
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Reading list');
    expect(lines[2]).toBe('Exported 2026-06-22 from Paperboy: 3 papers (at most 200), newest first.');
    expect(lines[4]).toBe(
      `- [A Paper With an arXiv Id](https://huggingface.co/papers/${ARXIV_ID}) ([arXiv](https://arxiv.org/abs/${ARXIV_ID}) · [PDF](https://arxiv.org/pdf/${ARXIV_ID}) · [code](https://github.com/o/r%5F%28x%29)), saved 2026-06-22`,
    );
    expect(lines[5]).toMatch(/^- \[@\u200Beveryone read \\\[this\\\]\(https:\/\/evil\.example\) /);
    expect(lines[6]).toMatch(
      /^- \[Densing Law of LLMs\]\(https:\/\/huggingface\.co\/papers\?q=Densing%20Law%20of%20LLMs\), saved 2026-06-22$/,
    );
    expect(markdown).not.toContain('javascript:');
  });

  it('given a member whose DMs are closed, then the file comes back as an ephemeral reply instead', async () => {
    await run('save', { paper: papers[2]!.id }, CLOSED);
    const outcome = await run('export', {}, CLOSED);
    const final = await outcome.waitForFinal(15_000);
    expect(outcome.ephemeral).toBe(true);
    expect(final.content).toBe('Your direct messages are closed, so here is your reading list (1 paper) as a file only you see.');
    expect(final.attachments.map((a) => a.filename)).toEqual(['reading-list.md']);
    expect(final.attachments[0]!.data!.toString('utf8')).toContain(`[${papers[2]!.title}]`);
    expect(h.server.dmMessages(CLOSED.id)).toEqual([]);
    expect(h.server.messages(CHANNEL).filter((m) => m.attachments.length > 0)).toEqual([]);
  });

  it('given an empty list, then there is nothing to export and no DM is sent', async () => {
    const nobody = { id: '370000000000000008', username: 'nobody' };
    const outcome = await run('export', {}, nobody);
    expect(contentOf(outcome)).toMatch(/^Your reading list is empty: there is nothing to export/);
    expect(h.server.dmMessages(nobody.id)).toEqual([]);
  });
});

describe('/subscriptions: because you liked X', () => {
  const READER = { id: '370000000000000007', username: 'reader' };
  const ask = () => h.server.interact({ type: 'command', name: 'subscriptions', guildId: GUILD, channelId: CHANNEL, user: READER });
  const suggested = (content: string) =>
    [...content.matchAll(/^• \*\*(.+?)\*\*, because you liked \*\*(.+)\*\*$/gm)].map((m) => ({ topic: m[1]!, title: m[2]! }));

  it('given no saved paper, then nothing is suggested', async () => {
    expect(contentOf(await ask())).toBe('You follow no topics yet. Add one with /subscribe, e.g. `/subscribe topic:scaling laws`.');
  });

  it('given saved papers, then up to 3 corpus topics they match are suggested, each naming a saved paper it matches, never one already followed', async () => {
    const saved = papers.filter((p) => /quantiz/i.test(`${p.title} ${p.abstract}`)).slice(0, 3);
    expect(saved.length).toBeGreaterThan(1);
    for (const paper of saved) await run('save', { paper: paper.id }, READER);
    const first = suggested(contentOf(await ask()));
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThanOrEqual(3);
    expect(contentOf(await ask())).toMatch(/\n\nYou might like \(add one with `\/subscribe topic:`\):\n/);
    for (const { topic, title } of first) {
      const paper = saved.find((p) => p.title === title)!;
      expect(paper, title).toBeDefined();
      expect(matchTopics(paper, [topic]), topic).toEqual([topic]);
    }
    await h.server.interact({
      type: 'command',
      name: 'subscribe',
      options: { topic: first[0]!.topic },
      guildId: GUILD,
      channelId: CHANNEL,
      user: READER,
    });
    const after = contentOf(await ask());
    expect(after).toMatch(/^You follow 1\/25 topics/);
    expect(suggested(after).map((s) => s.topic)).not.toContain(first[0]!.topic);
  });

  it('given a paper the member voted for (no paper saved), then the suggestions come from it', async () => {
    const VOTER = { id: '370000000000000008', username: 'voter' };
    const paper = papers.find((p) => /quantiz/i.test(`${p.title} ${p.abstract}`))!;
    await h.context.store.addVote({
      guildId: GUILD,
      paperId: paper.id,
      userId: VOTER.id,
      messageId: '1300000000000000001',
      at: '2026-06-22T09:00:00.000Z',
    });
    const content = contentOf(
      await h.server.interact({ type: 'command', name: 'subscriptions', guildId: GUILD, channelId: CHANNEL, user: VOTER }),
    );
    const found = suggested(content);
    expect(found.length).toBeGreaterThan(0);
    for (const s of found) expect(s.title).toBe(paper.title);
  });
});
