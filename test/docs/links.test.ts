import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/** README.md and every markdown file below docs/, relative to the repository. */
function listDocs(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir)).flatMap((name) => {
      const path = join(dir, name);
      return statSync(join(ROOT, path)).isDirectory() ? walk(path) : path.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...walk('docs')];
}

// Code is not markdown: a `[PDF](…)` in backticks or a `# comment` in a fenced block is an example, not a link or heading.
const withoutFences = (text: string): string => text.replace(/^[ \t]*```[^\n]*\n[\s\S]*?^[ \t]*```[ \t]*$/gm, '');
const withoutCode = (text: string): string => withoutFences(text).replace(/(`+)[^`\n]*?\1/g, '');

/** The relative link targets of a markdown text (web and mail addresses aside), in order. */
function findRelativeLinks(markdown: string): string[] {
  const targets = [...withoutCode(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** The anchors GitHub gives a markdown text's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function findAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** What is wrong with the relative links of one markdown file: a missing file, or a heading that is not there. */
function checkLinks(file: string, markdown: string, read: (path: string) => string | null, exists: (path: string) => boolean): string[] {
  const problems: string[] = [];
  for (const target of findRelativeLinks(markdown)) {
    const [rawPath, rawAnchor] = target.split('#', 2) as [string, string | undefined];
    const path = rawPath === '' ? file : join(dirname(file), decodeURIComponent(rawPath));
    if (!exists(path)) {
      problems.push(`${file}: ${target} points to ${path}, which does not exist`);
      continue;
    }
    if (rawAnchor === undefined || !path.endsWith('.md')) continue;
    const text = path === file ? markdown : read(path);
    if (text !== null && !findAnchors(text).has(decodeURIComponent(rawAnchor)))
      problems.push(`${file}: ${target} names a heading ${path} does not have`);
  }
  return problems;
}

const readDoc = (path: string): string | null => (existsSync(join(ROOT, path)) ? readFileSync(join(ROOT, path), 'utf8') : null);
const existsInRepo = (path: string): boolean => !relative(ROOT, join(ROOT, path)).startsWith('..') && existsSync(join(ROOT, path));

describe('links in the README and docs/', () => {
  it.each(listDocs())('given %s, then every relative link points to an existing file, and heading when it names one', (file) => {
    expect(checkLinks(file, readDoc(file)!, readDoc, existsInRepo)).toEqual([]);
  });

  it('given links to a missing file or heading, and links inside code, then the broken links are reported and the code is ignored', () => {
    const files: Record<string, string> = {
      'docs/a.md': [
        '# A',
        '## The `paperboy` command',
        'See [b](b.md#state-what-it-remembers), [up](../README.md), [gone](gone.md), [typo](b.md#stat),',
        '[here](#the-paperboy-command), [nowhere](#nowhere), [web](https://example.com/x.md) and `[PDF](c.md)`.',
        '```',
        '[fenced](d.md)',
        '```',
      ].join('\n'),
      'docs/b.md': '# B\n\n## State: what it remembers\n',
      'README.md': '# R\n',
    };
    const read = (path: string) => files[path] ?? null;
    expect(checkLinks('docs/a.md', files['docs/a.md']!, read, (path) => path in files)).toEqual([
      'docs/a.md: gone.md points to docs/gone.md, which does not exist',
      'docs/a.md: b.md#stat names a heading docs/b.md does not have',
      'docs/a.md: #nowhere names a heading docs/a.md does not have',
    ]);
  });

  it('given headings that repeat or carry punctuation, then their anchors are the ones GitHub gives them', () => {
    expect([...findAnchors('# Paperboy\n## Recipe: a destination (a Poster)\n## Notes\n## Notes\n### 0001. Search, and why')]).toEqual([
      'paperboy',
      'recipe-a-destination-a-poster',
      'notes',
      'notes-1',
      '0001-search-and-why',
    ]);
  });
});
