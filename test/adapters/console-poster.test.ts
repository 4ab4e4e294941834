import { describe, expect, it } from 'vitest';
import { createConsolePoster } from '../../src/adapters/console-poster.js';

const abstract =
  'We study how the density of capacity in large language models grows over time, and what it means for the cost of inference on small devices in the coming years.';

describe('console poster', () => {
  it.each([0, -1, Number.NaN])('given a width of %s, then the text is wrapped at 80 columns, not one word per line', async (width) => {
    let printed = '';
    const poster = createConsolePoster((text) => (printed += text), width);
    await poster.post({ content: abstract, allowed_mentions: { parse: [] } }, 'nonce');
    const lines = printed.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('─'));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    // Every line but the paragraph's last is filled close to the width.
    for (const line of lines.slice(0, -1)) expect(line.length).toBeGreaterThan(60);
  });

  it('given a width of 40, then the text is wrapped at 40 columns', async () => {
    let printed = '';
    await createConsolePoster((text) => (printed += text), 40).post({ content: abstract, allowed_mentions: { parse: [] } }, 'nonce');
    const lines = printed.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('─'));
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
  });
});
