/**
 * A set of strings that answers "certainly not in it" in little memory: a Bloom filter of about 10 bits a key for
 * about one false "maybe" in a hundred. It grows by adding a layer of four times the capacity whenever the last one
 * is full: sized for its keys up front it has one layer, and from the smallest it reaches a million keys in six.
 * `mayHold` is never false for a string that was added.
 */
export class KeyFilter {
  private readonly layers: BloomLayer[];
  private added = 0;

  constructor(expectedKeys: number) {
    this.layers = [new BloomLayer(Math.max(MIN_CAPACITY, Math.ceil(expectedKeys)))];
  }

  get size(): number {
    return this.added;
  }

  add(key: string): void {
    let last = this.layers[this.layers.length - 1] as BloomLayer;
    if (last.isFull) {
      last = new BloomLayer(last.capacity * GROWTH);
      this.layers.push(last);
    }
    last.add(hashesOf(key));
    this.added += 1;
  }

  mayHold(key: string): boolean {
    const hashes = hashesOf(key);
    return this.layers.some((layer) => layer.mayHold(hashes));
  }
}

const MIN_CAPACITY = 1024;
const GROWTH = 4;
/** Per layer: the bits and hash count of a 1% false-positive rate at capacity (m = -n ln p / ln² 2, k = m/n ln 2). */
const BITS_PER_KEY = 9.6;
const HASHES = 7;

class BloomLayer {
  private readonly words: Uint32Array;
  private readonly bits: number;
  private count = 0;

  constructor(readonly capacity: number) {
    this.words = new Uint32Array(Math.ceil((capacity * BITS_PER_KEY) / 32));
    this.bits = this.words.length * 32;
  }

  get isFull(): boolean {
    return this.count >= this.capacity;
  }

  add([h1, h2]: [number, number]): void {
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % this.bits;
      this.words[bit >>> 5] = (this.words[bit >>> 5] as number) | (1 << (bit & 31));
    }
    this.count += 1;
  }

  mayHold([h1, h2]: [number, number]): boolean {
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + i * h2) % this.bits;
      if (((this.words[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/**
 * Two independent 32-bit hashes of the string (FNV-1a, and the same with another basis and a final mix), from which
 * the layers derive their k positions (Kirsch and Mitzenmacher's double hashing).
 */
function hashesOf(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b ^= b >>> 16;
  // The second hash must be odd, so that the k positions of a key differ from one another.
  return [a >>> 0, (b | 1) >>> 0];
}
