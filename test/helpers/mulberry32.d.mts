// Types of mulberry32.mjs.
export function seededRandom(seed: number): () => number;
