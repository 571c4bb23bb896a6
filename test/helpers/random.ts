// A tiny seeded PRNG (mulberry32) so fuzz failures reproduce from their seed.

export type Random = () => number;

export { seededRandom } from './mulberry32.mjs';
