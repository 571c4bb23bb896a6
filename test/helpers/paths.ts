// Paths shared by tests: the repo root, the read-only shared fixtures, the built CLI.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** ../shared/fixtures relative to the repo root (read-only; present in CI too). */
export const SHARED_FIXTURES = join(REPO_ROOT, '..', 'shared', 'fixtures');
export const GO119 = join(SHARED_FIXTURES, 'go1.19');
export const PEER = join(SHARED_FIXTURES, 'peer', 'google-pprof');
export const CLI = join(REPO_ROOT, 'bin', 'livepprof.js');
