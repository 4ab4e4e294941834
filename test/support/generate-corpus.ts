// Deterministic generator of realistic Daily Papers page text, for benchmarks and load tests.
import { createRandom } from './random.js';

export { createRandom };

const TOPICS = [
  'language models',
  'diffusion',
  'reinforcement learning',
  'quantization',
  'retrieval',
  'vision transformers',
  'speech recognition',
  'graph neural networks',
  'robotics',
  'code generation',
  'mixture of experts',
  'scaling laws',
  'checkpointing',
  'alignment',
  'benchmarks',
  'multimodal reasoning',
  'long context',
  'tokenization',
  'distillation',
  'federated learning',
];
const ADJECTIVES = [
  'Efficient',
  'Scalable',
  'Robust',
  'Sparse',
  'Adaptive',
  'Unified',
  'Lightweight',
  'Hierarchical',
  'Contrastive',
  'Causal',
  'Low-Bit',
  'Self-Supervised',
  'Multilingual',
  'Streaming',
  'Federated',
];
const NOUNS = [
  'Transformers',
  'Agents',
  'Pretraining',
  'Inference',
  'Attention',
  'Decoding',
  'Evaluation',
  'Fine-Tuning',
  'Compression',
  'Memory',
  'Planning',
  'Embeddings',
  'Routing',
  'Search',
  'Serving',
];
const VERBS = ['improves', 'reduces', 'scales', 'stabilises', 'accelerates', 'explains', 'predicts', 'measures', 'unifies', 'simplifies'];
const FILLER = [
  'We study',
  'We propose',
  'Our method',
  'Experiments show that',
  'In this work we',
  'We find that',
  'Compared with prior work,',
  'Across benchmarks,',
  'Surprisingly,',
  'Finally,',
];
const ORGS = [
  ['google', 'Google'],
  ['meta-llama', 'Meta Llama'],
  ['baidu', 'BAIDU'],
  ['openbmb', 'OpenBMB'],
  ['Gensyn', 'Gensyn'],
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One generated paper as the page shows it. */
export interface GeneratedPaper {
  title: string;
  abstract: string;
  footer: string | null;
}

/** Generates `count` distinct papers (titles carry a serial number so they never collide). */
export function generatePapers(count: number, seed = 42): GeneratedPaper[] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const papers: GeneratedPaper[] = [];
  for (let i = 0; i < count; i += 1) {
    const topic = pick(TOPICS);
    const title = `${pick(ADJECTIVES)} ${pick(NOUNS)} for ${topic.replace(/\b\w/g, (c) => c.toUpperCase())}: ${pick(ADJECTIVES)} ${pick(NOUNS)} ${i + 1}`;
    const sentences: string[] = [];
    const length = 6 + Math.floor(random() * 8);
    for (let s = 0; s < length; s += 1) {
      sentences.push(
        `${pick(FILLER)} ${pick(ADJECTIVES).toLowerCase()} ${pick(NOUNS).toLowerCase()} ${pick(VERBS)} ${pick(TOPICS)} by ${(random() * 40).toFixed(1)}% on ${Math.floor(random() * 90) + 10} tasks.`,
      );
    }
    if (random() < 0.2) sentences.push(`Code is at https://github.com/example/repo-${i}.`);
    const roll = random();
    let footer: string | null = null;
    if (roll < 0.9) {
      const by = random() < 0.85 ? `  • ${1 + Math.floor(random() * 30)} authors` : (([h, n]) => `${h} ${n}`)(pick(ORGS));
      const withYear = random() < 0.7;
      const comments = random() < 0.3 ? ` ${Math.floor(random() * 20)}` : '';
      footer = `${by}\n·\n${pick(MONTHS)} ${1 + Math.floor(random() * 28)}${withYear ? `, ${2019 + Math.floor(random() * 7)}` : ''}${comments}`;
    }
    papers.push({ title, abstract: sentences.join(' '), footer });
  }
  return papers;
}

/** Formats generated papers as a Daily Papers page copy in the plain-text format. */
export function formatPage(papers: readonly GeneratedPaper[]): string {
  const parts = [
    'new',
    'Get trending papers in your email inbox!',
    'Subscribe',
    'Daily Papers',
    'byAK and the research community',
    'Jun 22',
  ];
  for (const p of papers) {
    parts.push(p.title, p.abstract);
    if (p.footer) parts.push(p.footer);
  }
  return `${parts.join('\n\n')}\n`;
}
