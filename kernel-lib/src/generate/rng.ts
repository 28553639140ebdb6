/**
 * A small seeded pseudo-random number generator, so that every stochastic
 * result in tomolyte (simulated scans, generated microstructures) can be
 * reproduced bit for bit from its seed on any machine.
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom
 * number generators", ACM TOMS 2021): 128 bits of state, period 2^128 - 1,
 * 32-bit outputs, only 32-bit integer operations (exact in JavaScript through
 * Math.imul and >>> 0). Its state is filled from the seed by a 32-bit
 * splitmix-style integer hash, as the authors recommend (a hash spreads
 * neighbouring seeds such as 1, 2, 3 over unrelated states).
 */
import { checkNumber } from "../errors";

/** A seeded random stream. Not cryptographic. */
export interface Rng {
  /** The seed the stream started from. */
  readonly seed: number;
  /** The next 32-bit unsigned integer, uniform on [0, 2^32). */
  nextUint32(): number;
  /** A uniform deviate on [0, 1) with 53 random bits (two 32-bit draws). */
  uniform(): number;
  /** A uniform integer on [0, n), without modulo bias. */
  integer(n: number): number;
  /** A normal (Gaussian) deviate with the given mean and standard deviation (Box–Muller). */
  normal(mean?: number, std?: number): number;
}

const TWO_POW_32 = 4294967296;

/** One step of a 32-bit splitmix-style hash sequence (golden-ratio increment, two xor-shift-multiply rounds). */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A seeded generator (xoshiro128**). The same seed gives the same stream on
 * every platform. `uniform()` uses 53 bits; `normal()` uses the Box–Muller
 * transform and hands out both deviates of each pair.
 *
 * @param seed a non-negative integer up to 2^53 - 1
 * @example
 * const rng = createRng(42);
 * const u = rng.uniform();        // in [0, 1)
 * const z = rng.normal(0, 2);     // mean 0, standard deviation 2
 * const k = rng.integer(6);       // 0..5
 */
export function createRng(seed: number): Rng {
  checkNumber("seed", seed, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
  // Fold both 32-bit halves of the seed into the hash state so that seeds
  // above 2^32 still give distinct streams.
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  const h = { x: (seed >>> 0) ^ Math.imul(hi, 0x85ebca6b) };
  return rngFromState(seed, [splitmix32(h), splitmix32(h), splitmix32(h), splitmix32(h)]);
}

/**
 * A generator started from an explicit xoshiro128** state (internal; used by
 * the tests to check the published reference outputs for state [1, 2, 3, 4]).
 *
 * @example
 * rngFromState(0, [1, 2, 3, 4]).nextUint32() // 11520
 */
export function rngFromState(seed: number, state: readonly [number, number, number, number]): Rng {
  let [s0, s1, s2, s3] = state.map((v) => v | 0);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  }

  function uniform(): number {
    // 27 + 26 high bits of two draws: the usual 53-bit construction.
    const a = nextUint32() >>> 5;
    const b = nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  function integer(n: number): number {
    checkNumber("n", n, { min: 1, max: TWO_POW_32, integer: true });
    // Rejection of the incomplete top block removes the modulo bias.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = nextUint32();
      if (x < limit) return x % n;
    }
  }

  let spare = 0;
  let hasSpare = false;
  function normal(mean = 0, std = 1): number {
    if (hasSpare) {
      hasSpare = false;
      return mean + std * spare;
    }
    const u1 = 1 - uniform(); // (0, 1]: log stays finite
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const phi = 2 * Math.PI * u2;
    spare = r * Math.sin(phi);
    hasSpare = true;
    return mean + std * r * Math.cos(phi);
  }

  return { seed, nextUint32, uniform, integer, normal };
}
