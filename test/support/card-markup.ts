import type { OutgoingMessage } from '../../src/core/format.js';

// Markup Paperboy writes itself around corpus text; everything else in a card must be literal.
const OWN_PAPER_LINKS = /^\[arXiv\]\(https:\/\/arxiv\.org\/abs\/[\w./-]+\) · \[PDF\]\(https:\/\/arxiv\.org\/pdf\/[\w./-]+\)$/;
const OWN_POSTED_LINK = /^\[Jump to the digest message\]\(https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+\)$/;
const OWN_TLDR = /^\*\*TL;DR \(AI-generated\):\*\* /;

const MASKED_LINK = /(?<!\\)\[[^\]]*(?<!\\)\]\(/;
// `<url>` autolinks Paperboy writes; their address is checked, then they are taken out.
const AUTOLINK = /(?<!\\)<([a-z][\w+.-]*:[^>]*)>/gi;
// Bare addresses Discord links literally (markdown does not act inside them).
const BARE_URL = /https?:\/\/[^\s<]+/g;
const MARKDOWN_RUN = /\*\*|__|~~|\|\||```/;
const MENTION = /<(?:[@#/]|t:|a?:\w)/;
const EVERYONE = /(?<!\u200B)@(?:everyone|here)/i;
const LINE_BREAK_IN_LINE = /[\r\u000B\u000C\u0085\u2028\u2029]/;

/** Why an address in a link would be unsafe to show, or null: https (http too if allowed), parsed, a host, no credentials. */
export function describeUnsafeUrl(text: string, allowHttp = false): string | null {
  if (/[\s\u0000-\u001F\u007F-\u009F]/.test(text)) return 'white space or a control character';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a well-formed URL';
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return `the scheme ${url.protocol}`;
  if (url.username || url.password) return 'credentials';
  if (!url.hostname) return 'no host name';
  return null;
}

/**
 * Everything in a message that Discord would act on although Paperboy did not mean it to: a masked link, markdown,
 * a mention token, a ping, a line break inside a one-line text, or an unsafe link address.
 */
export function findActiveMarkup(message: OutgoingMessage): string[] {
  const problems: string[] = [];
  const texts: Array<{ where: string; text: string; allowHttp?: boolean }> = [];
  // The content holds Paperboy's own mentions of members (allowed_mentions decides who is pinged); only @everyone counts there.
  if (message.content && EVERYONE.test(message.content)) problems.push('content: @everyone or @here');
  for (const embed of message.embeds ?? []) {
    if (embed.url !== undefined) {
      const unsafe = describeUnsafeUrl(embed.url);
      if (unsafe) problems.push(`url: ${unsafe} in ${JSON.stringify(embed.url)}`);
    }
    texts.push({ where: 'title', text: embed.title ?? '' });
    const description = embed.description ?? '';
    if (OWN_TLDR.test(description)) {
      // The TL;DR is one line, then a blank line, then the excerpt: both are corpus text.
      const [tldr, ...rest] = description.replace(OWN_TLDR, '').split('\n\n');
      texts.push({ where: 'TL;DR', text: tldr! }, { where: 'description', text: rest.join('\n\n') });
    } else {
      texts.push({ where: 'description', text: description });
    }
    texts.push({ where: 'footer', text: embed.footer?.text ?? '' });
    for (const field of embed.fields ?? []) {
      texts.push({ where: `field name ${field.name}`, text: field.name });
      if ((field.name === 'Paper' && OWN_PAPER_LINKS.test(field.value)) || (field.name === 'Posted' && OWN_POSTED_LINK.test(field.value)))
        continue;
      texts.push({ where: `field ${field.name}`, text: field.value, allowHttp: field.name === 'Links' });
    }
  }
  for (const { where, text, allowHttp } of texts) {
    if (MASKED_LINK.test(text)) problems.push(`${where}: a masked link in ${JSON.stringify(text.slice(0, 120))}`);
    for (const [, address] of text.matchAll(AUTOLINK)) {
      const unsafe = describeUnsafeUrl(address!, allowHttp);
      if (unsafe) problems.push(`${where}: a link with ${unsafe}: ${JSON.stringify(address)}`);
    }
    const outside = text
      .replace(AUTOLINK, ' ')
      .replace(BARE_URL, ' ')
      .replace(/\\[\s\S]/g, '\u0001');
    const run = MARKDOWN_RUN.exec(outside);
    if (run) problems.push(`${where}: unescaped ${run[0]} in ${JSON.stringify(text.slice(0, 120))}`);
    if (MENTION.test(outside)) problems.push(`${where}: a raw mention token in ${JSON.stringify(text.slice(0, 120))}`);
    if (EVERYONE.test(text)) problems.push(`${where}: @everyone or @here in ${JSON.stringify(text.slice(0, 120))}`);
    // Only the abstract's links stand one a line; every other text is a single line.
    const lines = where === 'field Links' ? text.split('\n') : [text];
    if (lines.some((line) => line.includes('\n') || LINE_BREAK_IN_LINE.test(line)))
      problems.push(`${where}: a line break in ${JSON.stringify(text.slice(0, 120))}`);
  }
  return problems;
}
