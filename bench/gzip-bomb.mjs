// A gzip bomb — 4 MiB that inflates to 4 GiB of zeros, made here by streaming through node:zlib —
// given to `livepprof top` as a file: it must be refused at the --max-inflated cap (256 MiB)
// within seconds and a few hundred MB, where an uncapped inflate took 40 s and 8.3 GB.

import { createWriteStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';
import { CLI, fmt, measureProcess, median, scratchDir, table } from './lib.mjs';

const RUNS = Number(process.env.BENCH_BOMB_RUNS ?? 5);

async function writeBomb(path, mib) {
  const zeros = Buffer.alloc(1 << 20);
  let n = 0;
  const source = new Readable({
    read() {
      this.push(n++ < mib ? zeros : null);
    },
  });
  await pipeline(source, createGzip({ level: 9, strategy: constants.Z_RLE, chunkSize: 1 << 16 }), createWriteStream(path));
}

export async function benchGzipBomb() {
  const dir = scratchDir('bomb');
  const bomb = join(dir, 'bomb.pb.gz');
  try {
    await writeBomb(bomb, 4096);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measureProcess(process.execPath, [CLI, 'top', bomb], {}, 1));
    if (!runs.every((r) => /--max-inflated limit of 256 MiB/.test(r.stderr))) throw new Error(`not refused at the cap: ${runs[0].stderr}`);
    console.log(
      table([
        [`livepprof top on a ${fmt(statSync(bomb).size / 2 ** 20, 1)} MiB → 4 GiB gzip bomb (median of ${RUNS})`, 'wall s', 'peak RSS MB'],
        ['refused at --max-inflated 256 MiB', fmt(median(runs.map((r) => r.wallMs)) / 1000, 2), fmt(median(runs.map((r) => r.rssMb)))],
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
