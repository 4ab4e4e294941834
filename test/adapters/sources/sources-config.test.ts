import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadSourcesConfig } from '../../../src/config.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadSourcesConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('the live sources configuration', () => {
  it('given nothing, then nothing is fetched and the documented defaults apply', () => {
    expect(loadConfig({}).sources).toEqual({
      list: [],
      hfApiUrl: 'https://huggingface.co/api',
      fetchDays: 2,
      arxivRssUrl: 'https://rss.arxiv.org/rss',
    });
  });

  it('given a comma list with spaces, repeats and trailing slashes, then it reads each source once, in order', () => {
    const { sources } = loadSourcesConfig({
      SOURCES: ' hf-daily , arxiv:cs.CL,arxiv:cs.CL,,arxiv:hep-th',
      HF_API_URL: 'http://127.0.0.1:9/api/',
      FETCH_DAYS: '14',
    });
    expect(sources).toEqual({
      list: [{ kind: 'hf-daily' }, { kind: 'arxiv', category: 'cs.CL' }, { kind: 'arxiv', category: 'hep-th' }],
      hfApiUrl: 'http://127.0.0.1:9/api',
      fetchDays: 14,
      arxivRssUrl: 'https://rss.arxiv.org/rss',
    });
  });

  it('given unknown entries and bad values, then every problem is reported at once, each saying what is accepted', () => {
    expect(
      problems({
        SOURCES: 'hf-daily,huggingface,arxiv:cs CL',
        FETCH_DAYS: '0',
        HF_API_URL: 'huggingface.co',
        ARXIV_RSS_URL: 'ftp://rss.arxiv.org',
      }),
    ).toEqual([
      'SOURCES entry "huggingface" is not a source Paperboy knows; use "hf-daily" (the Hugging Face daily list) or "arxiv:<category>" (an arXiv listing feed, e.g. arxiv:cs.CL), separated by commas, or leave SOURCES empty to fetch nothing',
      'SOURCES entry "arxiv:cs CL" does not name an arXiv category; write it like arxiv:cs.CL or arxiv:hep-th (the category as arXiv spells it)',
      'HF_API_URL "huggingface.co" is not an http(s) URL; leave it empty to use Hugging Face\'s own API (https://huggingface.co/api)',
      expect.stringMatching(/^FETCH_DAYS "0" must be a whole number of days from 1 to 14/),
      'ARXIV_RSS_URL "ftp://rss.arxiv.org" is not an http(s) URL; leave it empty to use arXiv\'s own feeds (https://rss.arxiv.org/rss)',
    ]);
  });

  it("given a bad SOURCES, then the bot's own configuration refuses it too", () => {
    expect(() => loadConfig({ SOURCES: 'rss' })).toThrow(ConfigError);
  });

  it('given a problem elsewhere in the configuration, then the fetch configuration still loads', () => {
    expect(loadSourcesConfig({ DISCORD_TOKEN: 'abc.def', DIGEST_CRON: 'nonsense', SOURCES: 'hf-daily' }).sources.list).toEqual([
      { kind: 'hf-daily' },
    ]);
  });
});
