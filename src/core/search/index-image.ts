import type { DerivedArrays } from './index-data.js';
import type { IndexState } from './index-state.js';
import type { FieldPostings } from './postings.js';
import { FIELDS } from './postings.js';

// An index as bytes: a short JSON header, then each typed array as it sits in memory (8-byte aligned), and the
// string lists as one JSON text (V8 parses JSON faster than anything hand-written). Reading it takes views of the
// bytes where they are aligned (no copy) and parses the strings.

const MAGIC = 0x58494250; // 'PBIX', little-endian
/** Bumped whenever the layout or the meaning of a stored array changes: an image of another version is not read. */
export const INDEX_IMAGE_VERSION = 2;

type Kind = 'i32' | 'u32' | 'u16' | 'u8';
type Section = [name: string, kind: Kind, offset: number, length: number];
type Typed = Int32Array | Uint32Array | Uint16Array | Uint8Array;

const CONSTRUCTORS = { i32: Int32Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array } as const;

/** An image that cannot be read back, and why (the caller rebuilds and logs the reason). */
export class IndexImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexImageError';
  }
}

/** An index as stored: its state and what is derived from it. */
export interface IndexImage {
  state: IndexState;
  derived: DerivedArrays;
}

/** The bytes of an index. */
export function encodeIndexImage({ state, derived }: IndexImage): Uint8Array {
  const { lexicon } = state;
  const strings = new TextEncoder().encode(
    JSON.stringify({ words: lexicon.words, terms: lexicon.terms, titleTexts: state.titleTexts, definitions: state.definitions }),
  );
  const arrays: Array<[string, Kind, Typed]> = [
    ['wordTerm', 'i32', lexicon.wordTerm],
    ['wordPapers', 'i32', lexicon.wordPapers],
    ['wordStop', 'u8', lexicon.wordStop],
    ['termPapers', 'i32', lexicon.termPapers],
    ...FIELDS.flatMap((name, field): Array<[string, Kind, Typed]> => [
      [`${name}.offsets`, 'u32', state.fields[field]!.offsets],
      [`${name}.docs`, 'u32', state.fields[field]!.docs],
      [`${name}.counts`, 'u16', state.fields[field]!.counts],
      [`${name}.distinct`, 'u32', state.distinct[field]!],
    ]),
    ['titleOrder', 'i32', state.titleOrder],
    ['recent', 'i32', state.recent],
    ['definitionPapers', 'i32', state.definitionPapers],
    ['definitionIds', 'i32', state.definitionIds],
    ['commonTerms', 'i32', derived.commonTerms],
    ['commonTitle', 'u32', concat(derived.commonTitle)],
    ['commonAbstract', 'u32', concat(derived.commonAbstract)],
    ...FIELDS.map((name, field): [string, Kind, Typed] => [`${name}.rareLength`, 'u32', derived.rareLength[field]!]),
    ['strings', 'u8', strings],
  ];
  const sections: Section[] = [];
  let size = 0;
  for (const [name, kind, array] of arrays) {
    sections.push([name, kind, size, array.length]);
    size = align(size + array.byteLength);
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ version: INDEX_IMAGE_VERSION, littleEndian: isLittleEndian(), count: state.count, sections }),
  );
  const start = align(12 + header.length);
  const bytes = new Uint8Array(start + size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, INDEX_IMAGE_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  arrays.forEach(([, , array], i) => bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), start + sections[i]![2]));
  return bytes;
}

/**
 * The index in an image; throws an {@link IndexImageError} when the bytes are not a whole, consistent image. The
 * arrays may be views of `bytes`, which must then not be changed.
 */
export function decodeIndexImage(bytes: Uint8Array): IndexImage {
  if (bytes.length < 12) throw new IndexImageError('the index image is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new IndexImageError('not an index image');
  const version = view.getUint32(4, true);
  if (version !== INDEX_IMAGE_VERSION)
    throw new IndexImageError(`index image version ${version}, this release reads ${INDEX_IMAGE_VERSION}`);
  const headerLength = view.getUint32(8, true);
  let header: { littleEndian: boolean; count: number; sections: Section[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as typeof header;
  } catch {
    throw new IndexImageError('the index image header is damaged');
  }
  if (header.littleEndian !== isLittleEndian()) throw new IndexImageError('the index image was written on a machine of another byte order');
  const start = align(12 + headerLength);
  const read = new Map<string, Typed>();
  if (!Array.isArray(header.sections) || !Number.isInteger(header.count)) throw new IndexImageError('the index image header is damaged');
  for (const [name, kind, offset, length] of header.sections) {
    const Type = CONSTRUCTORS[kind] as (typeof CONSTRUCTORS)[Kind] | undefined;
    if (!Type || !Number.isInteger(offset) || !Number.isInteger(length)) throw new IndexImageError('the index image header is damaged');
    const from = start + offset;
    const to = from + length * Type.BYTES_PER_ELEMENT;
    if (to > bytes.length) throw new IndexImageError(`the index image is truncated (${name})`);
    const at = bytes.byteOffset + from;
    if (at % Type.BYTES_PER_ELEMENT === 0) read.set(name, new Type(bytes.buffer as ArrayBuffer, at, length));
    else {
      // Unaligned (bytes not read from the start of a buffer): a copy.
      const copy = new Uint8Array(to - from);
      copy.set(bytes.subarray(from, to));
      read.set(name, new Type(copy.buffer));
    }
  }
  const get = <T extends Typed>(name: string, Type: new (...args: never[]) => T): T => {
    const array = read.get(name);
    if (!(array instanceof Type)) throw new IndexImageError(`the index image lacks ${name}`);
    return array;
  };
  let strings: { words: string[]; terms: string[]; titleTexts: string[]; definitions: string[] };
  try {
    strings = JSON.parse(new TextDecoder().decode(get('strings', Uint8Array))) as typeof strings;
  } catch {
    throw new IndexImageError('the index image strings are damaged');
  }
  const state: IndexState = {
    count: header.count,
    lexicon: {
      words: strings.words,
      wordTerm: get('wordTerm', Int32Array),
      wordPapers: get('wordPapers', Int32Array),
      wordStop: get('wordStop', Uint8Array),
      terms: strings.terms,
      termPapers: get('termPapers', Int32Array),
    },
    fields: FIELDS.map((name) => ({
      offsets: get(`${name}.offsets`, Uint32Array),
      docs: get(`${name}.docs`, Uint32Array),
      counts: get(`${name}.counts`, Uint16Array),
    })),
    distinct: FIELDS.map((name) => get(`${name}.distinct`, Uint32Array)),
    titleTexts: strings.titleTexts,
    titleOrder: get('titleOrder', Int32Array),
    recent: get('recent', Int32Array),
    definitionPapers: get('definitionPapers', Int32Array),
    definitionIds: get('definitionIds', Int32Array),
    definitions: strings.definitions,
  };
  checkIndexState(state);
  const words = (header.count + 31) >>> 5;
  const commonTerms = get('commonTerms', Int32Array);
  const split = (all: Uint32Array) => {
    if (all.length !== commonTerms.length * words) throw new IndexImageError('the index image is inconsistent (common terms)');
    return Array.from(commonTerms, (_, i) => all.subarray(i * words, (i + 1) * words));
  };
  const derived: DerivedArrays = {
    commonTerms,
    commonTitle: split(get('commonTitle', Uint32Array)),
    commonAbstract: split(get('commonAbstract', Uint32Array)),
    rareLength: FIELDS.map((name) => get(`${name}.rareLength`, Uint32Array)),
  };
  for (const term of commonTerms)
    if (term < 0 || term >= state.lexicon.terms.length) throw new IndexImageError('the index image is inconsistent (common terms)');
  for (const lengths of derived.rareLength)
    if (lengths.length !== header.count) throw new IndexImageError('the index image is inconsistent (lengths)');
  return { state, derived };
}

function concat(arrays: readonly Uint32Array[]): Uint32Array {
  const all = new Uint32Array(arrays.reduce((size, array) => size + array.length, 0));
  let at = 0;
  for (const array of arrays) {
    all.set(array, at);
    at += array.length;
  }
  return all;
}

/** Throws an {@link IndexImageError} unless every array has its length and every reference is in range. */
export function checkIndexState(state: IndexState): void {
  const { count, lexicon } = state;
  const words = lexicon.words.length;
  const terms = lexicon.terms.length;
  const fail = (what: string): never => {
    throw new IndexImageError(`the index image is inconsistent (${what})`);
  };
  if (!Array.isArray(lexicon.words) || !Array.isArray(lexicon.terms) || !Array.isArray(state.titleTexts)) fail('strings');
  if (lexicon.wordTerm.length !== words || lexicon.wordPapers.length !== words || lexicon.wordStop.length !== words) fail('words');
  if (lexicon.termPapers.length !== terms) fail('terms');
  for (const term of lexicon.wordTerm) if (term < 0 || term >= terms) fail('word terms');
  for (let i = 1; i < words; i++) if (!(lexicon.words[i - 1]! < lexicon.words[i]!)) fail('word order');
  for (let i = 1; i < terms; i++) if (!(lexicon.terms[i - 1]! < lexicon.terms[i]!)) fail('term order');
  state.fields.forEach((field, i) => checkPostings(field, terms, count, FIELDS[i]!, fail));
  for (const distinct of state.distinct) if (distinct.length !== count) fail('lengths');
  if (state.titleTexts.length !== count) fail('titles');
  for (const order of [state.titleOrder, state.recent]) {
    if (order.length !== count) fail('orders');
    const seen = new Uint8Array(count);
    for (const doc of order) {
      if (doc < 0 || doc >= count || seen[doc]) fail('orders');
      seen[doc] = 1;
    }
  }
  if (state.definitionPapers.length !== state.definitionIds.length) fail('definitions');
  let last = 0;
  for (const doc of state.definitionPapers) {
    if (doc < last || doc >= count) fail('definitions');
    last = doc;
  }
  for (const id of state.definitionIds) if (id < 0 || id >= state.definitions.length) fail('definitions');
}

function checkPostings(field: FieldPostings, terms: number, count: number, name: string, fail: (what: string) => never): void {
  const { offsets, docs, counts } = field;
  if (offsets.length !== terms + 1 || offsets[0] !== 0 || offsets[terms] !== docs.length || counts.length !== docs.length) fail(name);
  for (let term = 0; term < terms; term++) if (offsets[term + 1]! < offsets[term]!) fail(name);
  // Every paper in range (their order within a term is the checksum's business: checking it costs a pass per entry).
  let highest = 0;
  for (let at = 0; at < docs.length; at++) if (docs[at]! > highest) highest = docs[at]!;
  if (docs.length > 0 && highest >= count) fail(name);
}

function align(size: number): number {
  return (size + 7) & ~7;
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
