import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { parseCorpus } from '../../../src/core/corpus.js';
import { formatPaperEmbed, formatPaperMessage, type OutgoingMessage, readPaperIdFromFooter } from '../../../src/core/format.js';
import { readCorpusText } from '../../../src/core/formats/index.js';
import type { Paper } from '../../../src/core/paper.js';
import { spawnBot, type BotProcess, discordEnv } from '../../support/bot-process.js';
import { describeUnsafeUrl } from '../../support/card-markup.js';
import { startFakeDiscord, type FakeDiscord, type InteractionOutcome, type StoredMessage } from '../../support/fake-discord/index.js';
import { computePinged, validateMessageBody } from '../../support/fake-discord/validate-message.js';
import { percentile } from '../../support/stats.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';
import { registeredAll } from '../../support/commands.js';

const TOPIC = 'zebrafish';
const MEMBERS = ['200000000000000001', '200000000000000002'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Single-line hostile fragments for titles, abstracts and organisation lines.
const FRAGMENTS = [
  '@everyone',
  '@here',
  '<@123456789012345678>',
  '<@!123456789012345678>',
  '<@&223456789012345678>',
  '<#323456789012345678>',
  '[click](https://evil.example)',
  '[x](<https://evil>)',
  '**bold**',
  '__u__',
  '~~s~~',
  '||spoiler||',
  '`inline code`',
  '```js boom() ```',
  'every\u200Bone',
  '@every\u200Bone',
  '@\u200Beveryone',
  'here\u2060@here',
  '@every\u00ADone',
  '\u202Eevil\u202C',
  '\u2066isolate\u2069',
  'zero\u200Cwidth\u200Djoin\uFEFFbom',
  '</paper:123456789012345678>',
  '<t:0:R>',
  '<:emoji:123456789012345678>',
  '***bold italic***',
  '_i_ *i*',
  '\\*not bold\\*',
  '[**x**](https://evil.example/**y**)',
  'https://evil.example/__init__?a=||b||',
  '<https://evil.example>',
  '@EVERYONE',
  '`` ` ``',
  '[click](https://evil.example "title")',
  '[ x ]( https://evil.example )',
  '\u200E@here\u200F',
  '||@everyone||',
  '**<@&223456789012345678>**',
];
// Constructs that act only at the start of a line; the one markdown heading stays single so the file is not
// taken for a markdown copy of the page (which the parser skips on purpose).
const LINE_STARTS = ['-# subtext ', '> quote ', '>>> block quote ', '- list ', '* list ', '1. list ', '+ plus ', '``` ', '|| ', '~~ '];
const FILLER = 'We study the robustness of chat formatting against untrusted text in research abstracts';

interface HostilePaper {
  title: string;
  lines: string[];
  footer: string[] | null;
  topical: boolean;
}

const fragment = (i: number): string => FRAGMENTS[((i % FRAGMENTS.length) + FRAGMENTS.length) % FRAGMENTS.length]!;

/** Cuts to at most `max` code points (never half an emoji). */
const cut = (text: string, max: number): string => Array.from(text).slice(0, max).join('');

function hostilePaper(i: number): HostilePaper {
  const start = i === 0 ? '# H ' : LINE_STARTS[i % LINE_STARTS.length]!;
  const serial = ` case ${i}`;
  // Every seventh title is a very long line, cut just below the parser's 300-character title limit.
  const body = i % 7 === 3 ? Array.from({ length: 40 }, (_, k) => fragment(i + k)).join(' ') : `${fragment(i)} ${fragment(i * 7 + 3)}`;
  // A title opens with a word: the corpus readers do not take a line opening with markup for a title (such a page is
  // quarantined, nothing from it posted), so the markup comes right after it.
  const title = cut(`Hostile ${start}${body}`, 280 - serial.length) + serial;
  const topical = i % 3 === 0;
  const lines = [
    `${LINE_STARTS[(i + 3) % LINE_STARTS.length]}${FILLER} ${fragment(i + 1)} ${fragment(i * 5 + 2)}.`,
    `${fragment(i + 2)} ${topical ? `Results on ${TOPIC} embryos hold.` : 'Results on mice hold.'} ${fragment(i * 3 + 4)}`,
    '```',
    `${fragment(i + 5)} ${fragment(i + 6)} ${fragment(i + 7)}`,
    '```',
  ];
  if (i % 5 === 1) lines.push(Array.from({ length: 300 }, (_, k) => fragment(i + k)).join(' '));
  const footer =
    i % 4 === 3
      ? null
      : [
          i % 2
            ? `evil ${i % 3 ? '' : LINE_STARTS[i % LINE_STARTS.length]}${fragment(i * 11 + 1)} ${fragment(i * 13 + 2)}`
            : `  • ${1 + (i % 30)} authors`,
          '·',
          `Jun ${1 + (i % 28)}, 2025${i % 3 ? ` ${i}` : ''}`,
        ];
  return { title, lines, footer, topical };
}

function formatHostilePage(papers: readonly HostilePaper[]): string {
  const parts = [
    'new',
    'Get trending papers in your email inbox!',
    'Subscribe',
    'Daily Papers',
    'byAK and the research community',
    'Jun 22',
  ];
  for (const p of papers) parts.push(p.title, p.lines.join('\n'), ...(p.footer ? [p.footer.join('\n')] : []));
  return `${parts.join('\n\n')}\n`;
}

// Addresses for the code, project and paper fields: broken, tricky or hostile, and a few good ones with markup in them.
const URLS = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.cookie)',
  'data:text/html,<script>alert(1)</script>',
  'http://github.com/a/b',
  'https://user:pass@github.com/a/b',
  'https://github.com@evil.example/',
  'https://github.com/a b',
  'https://github.com/a\u0000b',
  'https://git\u200Bhub.com/a',
  '//evil.example/a',
  'https:evil.example/a',
  '[x](https://evil.example)',
  '<https://evil.example>',
  'https://evil.example/a)](javascript:alert(1))',
  'https://github.com/@everyone/<@123456789012345678>',
  'https://github.com/a/b_(c)||d||',
  'https://github.com/a/**b**',
  'https://[::1]/a',
  `https://example.org/${'a'.repeat(600)}`,
  'https://github.com/zebra/fish',
];

/**
 * The same kind of hostile text in the daily papers API shape, where it reaches the richer fields too: AI summary,
 * keywords, author names, organisation, code repository and stars, project page, upvotes.
 */
function hostileApiItem(i: number): Record<string, unknown> {
  const topical = i % 3 === 0;
  const id = `2506.${String(10000 + i)}`;
  return {
    paper: {
      id,
      // A title opens with a word: one opening with markup is not taken for a title at all (and is not posted).
      title: cut(`Api case ${i} ${fragment(i)} ${fragment(i * 3 + 1)}`, 280),
      summary: `${FILLER} ${fragment(i + 2)}. ${topical ? `Results on ${TOPIC} embryos hold.` : 'Results on mice hold.'} ${fragment(i * 5 + 3)}\n${LINE_STARTS[i % LINE_STARTS.length]}${fragment(i + 4)}.`,
      authors: [
        { name: fragment(i + 5) },
        { name: `${LINE_STARTS[(i + 1) % LINE_STARTS.length]}${fragment(i + 6)}` },
        { name: 'Ada Lovelace' },
        { name: fragment(i + 7), hidden: false },
      ],
      publishedAt: '2025-06-20T10:00:00.000Z',
      submittedOnDailyAt: '2025-06-21T08:00:00.000Z',
      upvotes: i * 7,
      ai_summary: `${LINE_STARTS[(i + 2) % LINE_STARTS.length]}${fragment(i + 8)} summary\n# ${fragment(i * 7 + 9)}\u2028> ${fragment(i + 10)}`,
      ai_keywords: [fragment(i + 11), `${fragment(i + 12)} keyword`, 'chat formatting'],
      githubRepo: URLS[i % URLS.length],
      githubStars: i * 13,
      projectPage: URLS[(i * 7 + 3) % URLS.length],
      organization: { name: 'evil', fullname: `${fragment(i + 13)} Lab` },
    },
    title: cut(`Api case ${i} ${fragment(i)} ${fragment(i * 3 + 1)}`, 280),
    numComments: i % 4,
  };
}

// ------------------------------------------------------------------------------------------------- checks

const MASKED_LINK = /(?<!\\)\[[^\]]*(?<!\\)\]\(\s*<?https?:/;
// Discord's own autolink and `<url>` rules: markdown does not act inside them.
const URL_SPANS = /<https?:\/\/[^\s>]+>|https?:\/\/[^\s<]+[^<.,:;"')\]\s]/g;
const MARKDOWN_RUN = /\*\*|__|~~|\|\||```/;
const MENTION_TOKEN = /<(?:[@#/]|t:|a?:\w)/;
const INVISIBLE = /[\u200B-\u200F\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069]/;
const OWN_POSTED_LINK = /^\[Jump to the digest message\]\(https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+\)$/;
// Paperboy's own markup on a card: the arXiv and PDF links it builds from the arXiv id, and the TL;DR label.
const OWN_PAPER_LINKS = /^\[arXiv\]\(https:\/\/arxiv\.org\/abs\/[\w./-]+\) · \[PDF\]\(https:\/\/arxiv\.org\/pdf\/[\w./-]+\)$/;
const OWN_TLDR = /^\*\*TL;DR \(AI-generated\):\*\* /;
const AUTOLINK = /(?<!\\)<([a-z][\w+.-]*:[^>]*)>/gi;

/** The text the bot wrote in a message, with the parts that are its own markup (not corpus text) taken out. */
function textsOf(message: { content: string; embeds: Array<Record<string, unknown>> }): Array<{ where: string; text: string }> {
  const own = new RegExp(`<@(?:${MEMBERS.join('|')})>`, 'g');
  const content = message.content.replace(own, '').replace(/^📰 \*\*Paperboy digest #\d+\*\*/, '📰 digest');
  const texts = [{ where: 'content', text: content }];
  for (const embed of message.embeds) {
    const fields = (embed.fields as Array<{ name: string; value: string }> | undefined) ?? [];
    texts.push(
      { where: 'title', text: String(embed.title ?? '') },
      { where: 'description', text: String(embed.description ?? '').replace(OWN_TLDR, '') },
    );
    texts.push({ where: 'footer', text: (embed.footer as { text?: string } | undefined)?.text ?? '' });
    texts.push({ where: 'url', text: `<${String(embed.url ?? '')}>` });
    for (const f of fields) {
      if (OWN_POSTED_LINK.test(f.value) || (f.name === 'Paper' && OWN_PAPER_LINKS.test(f.value))) continue;
      texts.push({ where: `field ${f.name}`, text: `${f.name}\n${f.value}` });
    }
  }
  return texts;
}

/** Problems with one piece of text: anything that would format, link, mention or hide in Discord. */
function textProblems(text: string): string[] {
  const problems: string[] = [];
  if (MASKED_LINK.test(text)) problems.push('an unescaped masked link');
  // Abstract links may be http (they are in the abstract's text anyway); every other address must be https.
  for (const [, address] of text.matchAll(AUTOLINK)) {
    const unsafe = describeUnsafeUrl(address!, text.startsWith('Links\n'));
    if (unsafe) problems.push(`a link with ${unsafe}`);
  }
  const outsideUrls = text.replace(URL_SPANS, ' ').replace(/\\[\s\S]/g, '\u0001');
  const run = MARKDOWN_RUN.exec(outsideUrls);
  if (run) problems.push(`unescaped ${run[0]}`);
  if (MENTION_TOKEN.test(outsideUrls)) problems.push('a raw mention token');
  // The escaper itself breaks @everyone/@here and <@…> tokens with a zero-width space; nothing else may be invisible.
  const invisible = text.replace(/@\u200B(?=everyone|here)/gi, '@').replace(/<\u200B(?=[@#/])/g, '<');
  if (INVISIBLE.test(invisible))
    problems.push(`an invisible character U+${invisible.match(INVISIBLE)![0].charCodeAt(0).toString(16).toUpperCase()}`);
  return problems;
}

interface CheckContext {
  byId: Map<string, { paper: Paper; topical: boolean }>;
  findings: Map<string, string>;
  checked: number;
}

function note(ctx: CheckContext, problem: string, example: string): void {
  if (!ctx.findings.has(problem)) ctx.findings.set(problem, example);
}

/** The parts of a message the checks read: what Discord stored, or a payload checked in-process. */
type CheckedMessage = Pick<StoredMessage, 'content' | 'embeds' | 'pinged' | 'payload'>;

function checkMessage(message: CheckedMessage, label: string, ctx: CheckContext): void {
  const paperId = readPaperIdFromFooter((message.embeds[0]?.footer as { text?: string } | undefined)?.text);
  const where = paperId ? `${label} of ${paperId}` : label;
  ctx.checked += 1;
  for (const { where: part, text } of textsOf(message)) {
    for (const problem of textProblems(text))
      note(ctx, `${problem} in a ${label} ${part}`, `${where}: ${JSON.stringify(text.slice(0, 160))}`);
  }
  const { pinged } = message;
  if (pinged.everyone) note(ctx, `a ${label} pings @everyone`, where);
  if (pinged.roles.length) note(ctx, `a ${label} pings a role`, where);
  const allowed = message.payload.allowed_mentions as { parse?: unknown; users?: unknown } | undefined;
  if (!allowed || !Array.isArray(allowed.parse) || allowed.parse.length !== 0)
    note(ctx, `a ${label} has no explicit allowed_mentions`, `${where}: ${JSON.stringify(allowed)}`);
  const expected = paperId && label === 'digest card' && ctx.byId.get(paperId)?.topical ? MEMBERS : [];
  if ([...pinged.users].sort().join() !== expected.join())
    note(ctx, `a ${label} pings ${JSON.stringify(pinged.users)} instead of ${JSON.stringify(expected)}`, where);
}

/**
 * Formats every paper of the hostile API file in-process, as digest card (mentioning the subscribers when topical)
 * and as a full `/paper` card linking to its post, and checks each payload as Discord would take it.
 */
function checkFormattedPapers(papers: readonly Paper[], ctx: CheckContext): void {
  for (const paper of papers) {
    const topical = ctx.byId.get(paper.id)?.topical ?? false;
    const card = formatPaperMessage(paper, { mentions: topical ? MEMBERS.map((userId) => ({ userId, topics: [TOPIC] })) : [] });
    const full: OutgoingMessage = {
      embeds: [formatPaperEmbed(paper, { fullAbstract: true, postedLink: 'https://discord.com/channels/1/2/3' })],
      allowed_mentions: { parse: [] },
    };
    for (const [label, message] of [
      ['digest card', card],
      ['/paper reply', full],
    ] as const) {
      for (const issue of validateMessageBody(message as never))
        note(ctx, `a formatted ${label} fails Discord validation at ${issue.path.join('.')} (${issue.code})`, paper.id);
      const pinged = computePinged(message.content ?? '', message.allowed_mentions, null);
      checkMessage(
        {
          content: message.content ?? '',
          embeds: (message.embeds ?? []) as Array<Record<string, unknown>>,
          pinged,
          payload: message as never,
        },
        label,
        ctx,
      );
    }
  }
}

// --------------------------------------------------------------------------------------------------- run

/** Waits until `pattern` shows in the log after `offset` (earlier lines do not count). */
async function waitForLog(bot: BotProcess, pattern: RegExp, offset: number, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) {
    if (pattern.test(bot.stderr().slice(offset))) return true;
    if (bot.child.exitCode !== null) return false;
  }
  return false;
}

async function subscribeMembers(server: FakeDiscord, outcomes: InteractionOutcome[], problems: string[]): Promise<void> {
  for (const id of MEMBERS) {
    const outcome = await server.interact({ type: 'command', name: 'subscribe', options: { topic: TOPIC }, user: { id } });
    outcomes.push(outcome);
    if (!/^Subscribed to \*\*zebrafish\*\*/.test(String(outcome.data?.content ?? '')))
      problems.push(`/subscribe for ${id} was not acknowledged: ${JSON.stringify(outcome.data?.content ?? outcome.error)}`);
  }
}

/** `/paper … public:true` on hostile papers, by id and by words that match several (so titles show in content too). */
async function lookUpPapers(
  server: FakeDiscord,
  papers: readonly Paper[],
  count: number,
  outcomes: InteractionOutcome[],
  ctx: CheckContext,
): Promise<void> {
  const queries = [...papers.slice(0, Math.max(1, count - 2)).map((p) => p.id), 'bold spoiler everyone', `${TOPIC} robustness`];
  for (const query of queries) {
    const outcome = await server.interact({ type: 'command', name: 'paper', options: { query, public: true }, user: { id: MEMBERS[0]! } });
    outcomes.push(outcome);
    if (outcome.error || !outcome.original) {
      note(ctx, '/paper public:true was not answered with a channel message', query);
      continue;
    }
    checkMessage(outcome.original, '/paper reply', ctx);
  }
}

/**
 * Hostile text: a corpus whose titles, abstracts and organisation lines try every way to ping, link, format or
 * hide text in Discord. Every digest card and `/paper` reply shows it literally and pings only subscribers.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const count = Math.max(12, Math.round(64 * scale));
  const hostile = Array.from({ length: count }, (_, i) => hostilePaper(i));
  const page = formatHostilePage(hostile);
  const problems: string[] = [];
  const parsed = parseCorpus(page, { file: 'hostile.txt', referenceDate: '2025-06-22' });
  if (parsed.papers.length !== count)
    problems.push(
      `the parser read ${parsed.papers.length} of the ${count} hostile papers: ${parsed.warnings
        .map((w) => `${w.line}: ${w.message}`)
        .join('; ')
        .slice(0, 500)}`,
    );
  const byId = new Map(parsed.papers.map((paper) => [paper.id, { paper, topical: paper.abstract.includes(TOPIC) }]));
  const ctx: CheckContext = { byId, findings: new Map(), checked: 0 };

  // The richer fields come from the daily papers API shape, read by the real reader and formatted in-process.
  const apiCount = Math.max(URLS.length, Math.round(40 * scale));
  const apiText = `${JSON.stringify(
    Array.from({ length: apiCount }, (_, i) => hostileApiItem(i)),
    null,
    2,
  )}\n`;
  const api = readCorpusText(apiText, { file: 'hostile-daily.json', referenceDate: '2025-06-22' });
  if (api.papers.length !== apiCount)
    problems.push(
      `the API reader read ${api.papers.length} of the ${apiCount} hostile API papers: ${api.warnings
        .map((w) => `${w.line}: ${w.message}`)
        .join('; ')
        .slice(0, 500)}`,
    );
  for (const paper of api.papers) byId.set(paper.id, { paper, topical: paper.abstract.includes(TOPIC) });
  checkFormattedPapers(api.papers, ctx);

  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-hostile-'));
  const corpusDir = join(dir, 'corpus');
  const staging = join(dir, 'staging');
  await mkdir(corpusDir);
  await mkdir(staging);
  await writeFile(join(staging, 'hostile-daily.json'), apiText);
  // The bot posts the API file too once its corpus loader reads JSON captures (issue 12 §1); until then the
  // richer fields are checked in-process only. The loader itself says which papers the bot will see.
  const apiInBot = (await loadCorpus(staging, { referenceDate: '2025-06-22' })).papers;
  for (const paper of apiInBot) byId.set(paper.id, { paper, topical: paper.abstract.includes(TOPIC) });
  const expected = new Set([...parsed.papers, ...apiInBot].map((p) => p.id));
  const server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 }, globalPerSecond: 500 } });
  const bot = spawnBot({
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: corpusDir,
    DIGEST_CRON: '* * * * * *',
    DIGEST_SIZE: '10',
  });
  const outcomes: InteractionOutcome[] = [];
  let peakRssMb: number | null;
  let crashes = 0;
  try {
    await bot.waitFor(registeredAll(), 30_000);
    // Members subscribe while the corpus is still empty, so every hostile paper is posted after it.
    await subscribeMembers(server, outcomes, problems);
    if (apiInBot.length > 0) await rename(join(staging, 'hostile-daily.json'), join(corpusDir, 'hostile-daily.json'));
    await writeFile(join(dir, 'hostile.part'), page);
    await rename(join(dir, 'hostile.part'), join(corpusDir, 'hostile.txt'));
    const cards = () => server.messages(server.channelId).filter((m) => !m.interactionId && m.embeds.length > 0);
    for (const end = Date.now() + 60_000; cards().length === 0 && Date.now() < end;) await sleep(100);
    if (!(await waitForLog(bot, /no unposted papers remain/, bot.stderr().length, 120_000)))
      problems.push('the bot never reported that no unposted papers remain');
    await sleep(1500);
    await lookUpPapers(server, [...apiInBot.slice(0, 2), ...parsed.papers], Math.max(3, Math.round(8 * scale)), outcomes, ctx);
    for (const message of server.messages(server.channelId)) {
      if (!message.interactionId) checkMessage(message, message.embeds.length ? 'digest card' : 'digest header', ctx);
    }
    peakRssMb = readPeakRssMb(bot.child.pid);
    bot.kill('SIGTERM');
    const code = await bot.exited;
    if (code !== 0) {
      crashes += 1;
      problems.push(`the bot exited with ${code} on SIGTERM`);
    }
  } finally {
    if (bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.kill('SIGKILL');
      await bot.exited;
    }
  }
  if (/unexpected error|Unhandled/.test(bot.stderr())) {
    crashes += 1;
    problems.push(`the bot logged an unexpected error: ${/.*(?:unexpected error|Unhandled).*/.exec(bot.stderr())?.[0]?.slice(0, 300)}`);
  }
  const refused = server.requests.filter((r) => r.status === 400);
  if (refused.length)
    problems.push(
      `${refused.length} requests were refused with 400, e.g. ${refused[0]!.method} ${refused[0]!.path}: ${JSON.stringify(refused[0]!.body).slice(0, 200)}`,
    );
  for (const o of outcomes) if (o.error) problems.push(`interaction ${o.interactionId} was not answered within 3 s`);
  for (const [problem, example] of ctx.findings) problems.push(`${problem} (e.g. ${example})`);

  const postedIds = server.postedPaperIds();
  const posted = new Set(postedIds);
  const mentioned = server.messages(server.channelId).filter((m) => m.pinged.users.length > 0).length;
  if (mentioned === 0) problems.push('no digest card mentioned the subscribers: the mention checks ran on nothing');
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return {
    scenario: 'hostile text',
    load:
      `${count} hostile papers (${hostile.filter((h) => h.topical).length} matching the subscribed topic) and ${apiCount} in the API shape with hostile ` +
      `summaries, keywords, authors, organisations and addresses (${apiInBot.length > 0 ? 'posted by the bot' : 'formatted in-process: the corpus loader does not read JSON yet'}), ` +
      `${ctx.checked} messages checked`,
    faults:
      '@everyone/@here, user/role/channel mentions, masked links, markdown, headings, code fences, zero-width and RTL characters, very long lines, javascript:/data:/http/credential/malformed addresses',
    papersExpected: expected.size,
    papersPosted: [...posted].filter((id) => expected.has(id)).length,
    duplicates: postedIds.length - posted.size,
    lost: [...expected].filter((id) => !posted.has(id)).length + (count - new Set(parsed.papers.map((p) => p.id)).size),
    interactionsSent: outcomes.length,
    interactionsAnswered: outcomes.filter((o) => !o.error).length,
    p99Ms: percentile(
      outcomes.flatMap((o) => (o.latencyMs === null ? [] : [o.latencyMs])),
      99,
    ),
    peakRssMb,
    crashes,
    problems,
    durationMs: Date.now() - started,
  };
}
