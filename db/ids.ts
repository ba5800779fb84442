import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

// Drawn 16 bytes at a time from a pool that `uuid` refills 256 bytes at a time, randomness was a twentieth of building
// an import's rows: each refill is a call into the crypto library with a fixed cost. A larger pool pays it rarely.
const pool = new Uint8Array(64 * 1024);
let taken = pool.length;

/**
 * A time-ordered id (UUID version 7) for a row a bulk write creates: a bulk load then appends to the id indexes
 * instead of writing to random pages of them, which keeps the pages it touches in cache as the tables grow.
 */
export function timeOrderedId(): string {
  if (taken + 16 > pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  const random = pool.subarray(taken, (taken += 16));
  return v7({ random });
}
