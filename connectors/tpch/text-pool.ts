/**
 * dbgen's text pool: 300 MiB of pseudo-English generated once from the grammar in
 * dists.dss with one random stream (seed 933588178). Every comment column is a random
 * substring of it (RandomText), so the pool must be byte-for-byte dbgen's.
 *
 * The pool is built lazily the first time a comment is needed (about 2–3 s, ~300 MB held
 * as one Latin-1 JS string; comments are O(1) substrings of it).
 */
import { Buffer } from 'node:buffer';
import {
  ADJECTIVES, ADVERBS, ARTICLES, AUXILIARIES, GRAMMAR, NOUNS, NOUN_PHRASES, PREPOSITIONS, TERMINATORS,
  VERBS, VERB_PHRASES, type Distribution,
} from './distributions.js';
import { MODULUS, nextSeed } from './random.js';

export const TEXT_POOL_SIZE = 300 * 1024 * 1024;
const TEXT_POOL_SEED = 933588178;
const MAX_SENTENCE_LENGTH = 256;

const SPACE = 0x20;

/**
 * A distribution flattened for fast sampling: the encoded value for every weight slot
 * (for grammar, noun- and verb-phrase distributions the value is the phrase's syntax).
 */
interface Sampler {
  readonly total: number;
  readonly slots: readonly Uint8Array[];
}

function sampler(dist: Distribution): Sampler {
  const encoded = dist.values.map((v) => Uint8Array.from(Buffer.from(v, 'latin1')));
  const slots: Uint8Array[] = [];
  let prev = 0;
  dist.cumulative.forEach((c, i) => {
    for (let k = prev; k < c; k++) slots.push(encoded[i]!);
    prev = c;
  });
  return { total: dist.totalWeight, slots };
}

/** Generates the first `size` bytes of dbgen's text pool. */
export function generateTextPool(size: number = TEXT_POOL_SIZE): Uint8Array {
  const grammar = sampler(GRAMMAR);
  const np = sampler(NOUN_PHRASES);
  const vp = sampler(VERB_PHRASES);
  const nouns = sampler(NOUNS);
  const verbs = sampler(VERBS);
  const adjectives = sampler(ADJECTIVES);
  const adverbs = sampler(ADVERBS);
  const articles = sampler(ARTICLES);
  const prepositions = sampler(PREPOSITIONS);
  const auxiliaries = sampler(AUXILIARIES);
  const terminators = sampler(TERMINATORS);

  const buf = new Uint8Array(size + MAX_SENTENCE_LENGTH);
  let len = 0;
  let seed = TEXT_POOL_SEED;

  // One draw in [0, total − 1] mapped to its slot, exactly as RandomInt.nextInt does it.
  const pick = (s: Sampler): Uint8Array => {
    seed = nextSeed(seed);
    return s.slots[((seed / MODULUS) * s.total) | 0]!;
  };
  const append = (word: Uint8Array): void => {
    for (let i = 0; i < word.length; i++) buf[len++] = word[i]!;
  };

  const nounPhrase = (): void => {
    const syntax = pick(np);
    for (let i = 0; i < syntax.length; i++) {
      let source: Sampler;
      switch (syntax[i]) {
        case 0x41: source = articles; break; // A
        case 0x4a: source = adjectives; break; // J
        case 0x44: source = adverbs; break; // D
        case 0x4e: source = nouns; break; // N
        case 0x2c: // ',' replaces the trailing space
          buf[len - 1] = 0x2c;
          buf[len++] = SPACE;
          continue;
        case SPACE:
          continue;
        default:
          throw new Error(`unknown noun phrase token ${syntax[i]}`);
      }
      append(pick(source));
      buf[len++] = SPACE;
    }
  };

  const verbPhrase = (): void => {
    const syntax = pick(vp);
    for (let i = 0; i < syntax.length; i += 2) {
      let source: Sampler;
      switch (syntax[i]) {
        case 0x44: source = adverbs; break; // D
        case 0x56: source = verbs; break; // V
        case 0x58: source = auxiliaries; break; // X
        default:
          throw new Error(`unknown verb phrase token ${syntax[i]}`);
      }
      append(pick(source));
      buf[len++] = SPACE;
    }
  };

  const THE = Uint8Array.from([SPACE, 0x74, 0x68, 0x65, SPACE]); // " the "
  while (len < size) {
    const syntax = pick(grammar);
    for (let i = 0; i < syntax.length; i += 2) {
      switch (syntax[i]) {
        case 0x56: verbPhrase(); break; // V
        case 0x4e: nounPhrase(); break; // N
        case 0x50: // P
          append(pick(prepositions));
          append(THE);
          nounPhrase();
          break;
        case 0x54: // T: the terminator abuts the previous word
          len--;
          append(pick(terminators));
          break;
        default:
          throw new Error(`unknown grammar token ${syntax[i]}`);
      }
      if (buf[len - 1] !== SPACE) buf[len++] = SPACE;
    }
  }
  return buf.subarray(0, size);
}

/** The text pool; `text(begin, end)` returns its characters [begin, end). */
export class TextPool {
  readonly size: number;
  private readonly pool: string;

  constructor(bytes: Uint8Array) {
    this.size = bytes.length;
    this.pool = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  }

  text(begin: number, end: number): string {
    return this.pool.substring(begin, end);
  }
}

let defaultPool: TextPool | undefined;

/** The process-wide 300 MiB pool, generated on first use. */
export function getTextPool(): TextPool {
  return (defaultPool ??= new TextPool(generateTextPool()));
}
