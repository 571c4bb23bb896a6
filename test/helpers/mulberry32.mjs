// mulberry32, a tiny seeded PRNG: the same sequence for the same seed. Plain JavaScript, so the
// fixture generators that Node runs directly (fixtures/prometheus/generate-history.mjs, the
// benches) and the tests (test/helpers/random.ts) draw from the same one.

/** @param {number} seed */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
