/**
 * A set of strings that answers "maybe" for some it was never given, and never "no" for one it was: a scalable Bloom
 * filter (Almeida et al., 2007). It keeps every email and phone of a business with a million contacts in a few
 * megabytes, so that an import asks the database only about the few keys it may already hold.
 *
 * Written here rather than taken from npm: `bloom-filters` 3.0.4's ScalableBloomFilter took 451 s for 200,000 adds and
 * 200,000 lookups (its 64-bit hashing is done in JavaScript objects); an import makes millions.
 */
export class KeyFilter {
  private readonly stages: Stage[] = [];
  private added = 0;

  constructor(
    private readonly options: {
      /** Keys the first stage is sized for; each later stage holds twice as many. */
      initialCapacity?: number;
      /** Of the first stage; each later stage halves it, so the whole filter stays under twice this. */
      falsePositiveRate?: number;
    } = {},
  ) {}

  /** Keys given so far, counting a key given twice twice. */
  get size(): number {
    return this.added;
  }

  /** The memory its bit arrays take. */
  get bytes(): number {
    return this.stages.reduce((sum, stage) => sum + stage.bits.byteLength, 0);
  }

  add(key: string): void {
    const last = this.stages.at(-1);
    let stage = last;
    if (!stage || stage.count >= stage.capacity) {
      stage = last
        ? newStage(last.capacity * 2, last.rate / 2)
        : newStage(this.options.initialCapacity ?? 262_144, this.options.falsePositiveRate ?? 0.005);
      this.stages.push(stage);
    }
    hash(key);
    const { bits, hashCount } = stage;
    const block = blockOf(stage);
    for (let i = 0; i < hashCount; i++) {
      const at = block + bitInBlock(i);
      bits[at >>> 5] = (bits[at >>> 5] as number) | (1 << (at & 31));
    }
    stage.count++;
    this.added++;
  }

  /** False for a key never added; true for every key added, and for a few others. */
  mayHold(key: string): boolean {
    if (this.stages.length === 0) return false;
    hash(key);
    for (const stage of this.stages) if (stageHolds(stage)) return true;
    return false;
  }
}

function stageHolds(stage: Stage): boolean {
  const { bits, hashCount } = stage;
  const block = blockOf(stage);
  for (let i = 0; i < hashCount; i++) {
    const at = block + bitInBlock(i);
    if (((bits[at >>> 5] as number) & (1 << (at & 31))) === 0) return false;
  }
  return true;
}

interface Stage {
  capacity: number;
  rate: number;
  count: number;
  blockCount: number;
  hashCount: number;
  bits: Uint32Array;
}

/**
 * A stage keeps all of a key's bits in one block of 512 bits (a "blocked" Bloom filter, Putze et al.): one cache line
 * per stage and key, where bits spread over megabytes cost a cache miss each.
 */
const BLOCK_BITS = 512;

function newStage(capacity: number, rate: number): Stage {
  // The optimal sizes for `capacity` keys at `rate` false positives; a tenth more bits makes up for the blocks.
  const optimalBits = (-capacity * Math.log(rate)) / (Math.LN2 * Math.LN2);
  const hashCount = Math.max(1, Math.round((optimalBits / capacity) * Math.LN2));
  const blockCount = Math.ceil((optimalBits * 1.1) / BLOCK_BITS);
  return { capacity, rate, count: 0, blockCount, hashCount, bits: new Uint32Array((blockCount * BLOCK_BITS) / 32) };
}

// The hashes of the key at hand: kept here rather than returned, so that a lookup allocates nothing.
let h1 = 0;
let h2 = 0;
let h3 = 0;

/**
 * Three 32-bit hashes of a string: FNV-1a over its UTF-16 code units, and the same steps with another offset and
 * multiplier, each finished with MurmurHash3's mixer, and a third mixed from the second. h1 picks a stage's block;
 * the i-th bit in it is the top 9 bits of h2 + i·h3 (Kirsch and Mitzenmacher), h3 odd.
 */
function hash(key: string): void {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  h1 = mix(a);
  h2 = mix(b);
  h3 = mix(h2 ^ 0x9e3779b9) | 1;
}

const blockOf = (stage: Stage) => Math.floor((h1 / 4_294_967_296) * stage.blockCount) * BLOCK_BITS;
const bitInBlock = (i: number) => ((h2 + Math.imul(i, h3)) >>> 0) >>> 23;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
