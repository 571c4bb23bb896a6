// `npm run bench`: speed and footprint, measured against `go tool pprof` in the same run.
// Sections can be picked: `npm run bench -- top`.

import { hasGo } from './lib.mjs';
import { benchFleet } from './fleet.mjs';
import { benchGzipBomb } from './gzip-bomb.mjs';
import { benchKeyLatency } from './key-latency.mjs';
import { benchPollCost, benchSoak } from './poll-cost.mjs';
import { benchSmapsCost } from './smaps-cost.mjs';
import { benchTargetCost } from './target-cost.mjs';
import { benchStartup } from './startup.mjs';
import { benchTopVsPprof } from './top-vs-pprof.mjs';
import { benchUiSoak } from './ui-soak.mjs';

// The shipped bundle runs React's production build (scripts/bundle.mjs); the benches load
// dist/ file by file, so they say the same here, before anything imports React.
process.env.NODE_ENV ??= 'production';

const SECTIONS = {
  top: { needsGo: true, run: benchTopVsPprof, title: 'top on a 100,000-stack heap profile vs go tool pprof' },
  polls: { needsGo: true, run: benchPollCost, title: "the tool's own cost over 20,000 polls, and requests per poll" },
  target: { needsGo: true, run: benchTargetCost, title: 'what one poll costs the target (its CPU), and the 1% rule' },
  soak: { needsGo: true, run: benchSoak, title: '24 simulated hours of 1 s polls: RSS growth after warm-up and CPU per poll' },
  startup: { needsGo: false, run: benchStartup, title: 'start-up: launch to the first frame and to the first --json line' },
  keys: { needsGo: true, run: benchKeyLatency, title: 'key → frame latency of the TUI with a 100,000-stack profile loaded' },
  bomb: { needsGo: false, run: benchGzipBomb, title: 'a 4 MiB → 4 GiB gzip bomb refused at the --max-inflated cap' },
  smaps: { needsGo: true, run: benchSmapsCost, title: 'reading /proc/PID/smaps (named mappings) next to smaps_rollup' },
  'ui-soak': { needsGo: false, run: benchUiSoak, title: "the full-screen view drawn at every poll: JS heap growth, with Ink's text caches as bundled and as shipped" },
  fleet: { needsGo: false, run: benchFleet, title: 'the fleet: 1,000 instances × 6 h from Prometheus (first table, peak RSS, key → frame, verdict scaling)' },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(SECTIONS);
let failed = false;
for (const name of names) {
  const section = SECTIONS[name];
  if (!section) {
    console.error(`unknown bench section ${name}; sections: ${Object.keys(SECTIONS).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name}: ${section.title}`);
  if (section.needsGo && !hasGo()) {
    console.log('SKIPPED: needs `go` on PATH (apt-get install -y golang-go)');
    continue;
  }
  try {
    await section.run();
  } catch (e) {
    failed = true;
    console.error(`bench ${name} failed: ${e instanceof Error ? e.message : e}`);
  }
}
process.exitCode = failed ? 1 : 0;
