/**
 * Weighted distributions of dbgen (dists.dss, data in dists-data.ts): a value is picked by
 * one draw in [0, totalWeight − 1] mapped through the cumulative weights.
 */
import * as D from './dists-data.js';
import type { DistributionData } from './dists-data.js';
import type { RowRandom } from './random.js';

export class Distribution {
  readonly values: readonly string[];
  /** Cumulative weights (for "nations" these are the region keys). */
  readonly cumulative: readonly number[];
  /** Value index for each weight slot; empty when some weight is not positive. */
  readonly slots: Int32Array;
  readonly totalWeight: number;

  constructor(readonly name: string, data: DistributionData) {
    this.values = data.map(([v]) => v);
    const cumulative: number[] = [];
    let running = 0;
    let valid = true;
    for (const [, w] of data) {
      running += w;
      cumulative.push(running);
      valid &&= w > 0;
    }
    this.cumulative = cumulative;
    this.totalWeight = valid ? running : -1;
    this.slots = new Int32Array(valid ? running : 0);
    if (valid) {
      let k = 0;
      data.forEach(([, w], i) => {
        for (let j = 0; j < w; j++) this.slots[k++] = i;
      });
    }
  }

  get size(): number {
    return this.values.length;
  }

  /** The index of a random value (one draw from `r`). */
  randomIndex(r: RowRandom): number {
    if (this.totalWeight < 0) throw new Error(`${this.name} is not a distribution`);
    return this.slots[r.nextInt(0, this.totalWeight - 1)]!;
  }

  randomValue(r: RowRandom): string {
    return this.values[this.randomIndex(r)]!;
  }
}

const d = (name: string, data: DistributionData) => new Distribution(name, data);

export const NATIONS = d('nations', D.NATIONS);
export const REGIONS = d('regions', D.REGIONS);
export const PART_CONTAINERS = d('p_cntr', D.P_CNTR);
export const PART_TYPES = d('p_types', D.P_TYPES);
export const PART_COLORS = d('colors', D.COLORS);
export const MARKET_SEGMENTS = d('msegmnt', D.MSEGMNT);
export const ORDER_PRIORITIES = d('o_oprio', D.O_OPRIO);
export const RETURN_FLAGS = d('rflag', D.RFLAG);
export const SHIP_INSTRUCTIONS = d('instruct', D.INSTRUCT);
export const SHIP_MODES = d('smode', D.SMODE);

export const GRAMMAR = d('grammar', D.GRAMMAR);
export const NOUN_PHRASES = d('np', D.NP);
export const VERB_PHRASES = d('vp', D.VP);
export const NOUNS = d('nouns', D.NOUNS);
export const VERBS = d('verbs', D.VERBS);
export const ADJECTIVES = d('adjectives', D.ADJECTIVES);
export const ADVERBS = d('adverbs', D.ADVERBS);
export const ARTICLES = d('articles', D.ARTICLES);
export const PREPOSITIONS = d('prepositions', D.PREPOSITIONS);
export const AUXILIARIES = d('auxillaries', D.AUXILLARIES);
export const TERMINATORS = d('terminators', D.TERMINATORS);
