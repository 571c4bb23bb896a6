/**
 * Access to the real Go 1.19 captures in /work/shared/fixtures/go1.19 (read in place, never copied).
 * Not a test file: imported by the parser tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** This file lives in test/source/, so the repository root is two levels up. */
const REPO_ROOT = new URL('../../', import.meta.url);
export const GO119_FIXTURES = new URL('../shared/fixtures/go1.19/', REPO_ROOT);

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(name, GO119_FIXTURES));
}

export function readFixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

export function readFixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}
