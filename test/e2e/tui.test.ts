// The full-screen view in a real terminal (tmux, 80×24) attached to the real Go fixture target:
// what a user sees on each pane, and that keys move between them. The heap-leak scenario
// retains memory in main.(*Cache).Put (called from main.(*Cache).Grow); the goroutine-leak
// scenario parks goroutines in main.leakWorker (created by main.spawnLeakers).

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from '../helpers/go-target.js';
import { requireTool } from '../helpers/require-tool.js';
import { CLI } from '../helpers/paths.js';
import { framed, startTmux, type TmuxSession } from '../helpers/tmux.js';

const haveTmux = requireTool('tmux', 'the TUI end-to-end tests');
const haveGoAndTmux = haveTmux && requireTool('go', 'the TUI end-to-end tests on a live target');

const PREAMBLE = 'shell line before livepprof';
/** The Top table's first row (the one under the column header) is the selected main.(*Cache).Put. */
const PUT_FIRST = /^\s+flat\s+flat%\s+sum%\s+cum\s+cum%.*\n›.*\smain\.\(\*Cache\)\.Put\s*$/m;

const targets: Target[] = [];
const sessions: TmuxSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.kill()));
});
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

async function target(scenario: string): Promise<Target> {
  const t = await startTarget({ scenario });
  targets.push(t);
  return t;
}

/** `livepprof 127.0.0.1:PORT --interval 1s [args]` in an 80×24 terminal, up and reading keys. */
async function openView(t: Target, args: string[] = []): Promise<TmuxSession> {
  const s = await startTmux({
    command: [process.execPath, CLI, `127.0.0.1:${t.port}`, '--interval', '1s', ...args],
    width: 80,
    height: 24,
    preamble: PREAMBLE,
  });
  sessions.push(s);
  await s.waitFor(/\[1 Overview\]/);
  await s.waitForRawMode();
  return s;
}

/** A size as the view prints it (920kB, 20.8MB, 0B) in bytes. */
function bytes(text: string): number {
  const m = /^([\d.]+)(B|kB|MB|GB)$/.exec(text);
  if (!m) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as 'B' | 'kB' | 'MB' | 'GB'];
}

describe.skipIf(!haveGoAndTmux)('the full-screen view on a live Go target, at 80×24', () => {
  let leak: Target;
  beforeAll(async () => {
    leak = await target('heap-leak');
  });

  it('Overview: RSS from /proc and the Go heap, polled live, in a full 24-row frame', async () => {
    const s = await openView(leak);
    // "R rss 38.6MB(proc) G goal … L live 14.9MB K kept 0B  last 10s · poll 6": the legend ends
    // with the chart's window and the poll number. Live is "-" until the first GC or heap profile
    // has been read (a first poll can come before either), so wait for a size there.
    const figures = /^R rss (\S+)\(proc\)\s+G goal \S+\s+L live (\d\S*)\s+K kept \S+.*\blast \S+ · poll (\d+)/m;
    const first = await s.waitFor(figures);
    expect(bytes(first[1]!)).toBeGreaterThan(1e6);
    expect(bytes(first[2]!)).toBeGreaterThan(0);
    // Live: the poll count moves on by itself.
    const polls = Number(first[3]);
    await s.waitUntil((screen) => {
      const m = figures.exec(screen);
      return m && Number(m[3]) > polls;
    }, `more than ${polls} polls`);

    const screen = await s.capture();
    const rows = screen.split('\n');
    const frame = framed(screen);
    expect(rows, frame).toHaveLength(24);
    expect(rows[0], frame).toMatch(new RegExp(`^livepprof 127\\.0\\.0\\.1:${leak.port}\\s`));
    expect(rows[1], frame).toMatch(/^\[1 Overview\] │ 2 Top │ 3 Goroutines │ 4 Diff\s*$/);
    expect(rows[23], frame).toMatch(/^q quit\s+\? help/); // the footer on the last row
  });

  it('Top: main.(*Cache).Put is the first row; Enter shows its caller main.(*Cache).Grow; Esc goes back', async () => {
    const s = await openView(leak);
    await s.sendKeys('2');
    await s.waitFor(/\[2 Top\]/);
    await s.waitFor(PUT_FIRST);

    await s.sendKeys('Enter');
    await s.waitFor(/^▸ main\.\(\*Cache\)\.Put\s/m);
    const callers = await s.waitFor(/^›\s+([\d.]+)%\s+\S+\s+↑ main\.\(\*Cache\)\.Grow\s*$/m);
    expect(Number(callers[1]), 'Grow is the only caller of Put').toBeGreaterThan(99);

    await s.sendKeys('Escape');
    await s.waitForNo(/^▸ /m);
    await s.waitFor(PUT_FIRST);
    expect(await s.capture()).toMatch(/\[2 Top\]/);
  });

  it('? opens the help listing the keys of the pane; Esc closes it', async () => {
    const s = await openView(leak);
    await s.waitFor(/^R rss /m);
    await s.sendKeys('?');
    await s.waitFor(/^Keys in Overview\s+Esc or \? closes/m);
    const screen = await s.capture();
    for (const [key, what] of [
      ['q', 'Quit'],
      ['\\?', 'Keys of this pane'],
      ['Esc', 'Back'],
      ['1', 'Overview'],
      ['2', 'Top'],
      ['3', 'Goroutines'],
      ['4', 'Diff'],
      ['p', 'Pause'],
    ]) {
      expect(screen, `help lists ${key}\n${framed(screen)}`).toMatch(new RegExp(`(^|\\s)${key}\\s+${what}`, 'm'));
    }
    await s.sendKeys('Escape');
    await s.waitForNo(/Keys in Overview/);
    await s.waitFor(/^R rss /m);
  });

  it('q exits with status 0 and restores the terminal: main screen back, cursor visible, cooked tty', async () => {
    const s = await openView(leak);
    await s.waitFor(/^R rss /m);
    expect(await s.alternateOn()).toBe(true);
    expect(await s.cursorVisible()).toBe(false);
    await s.sendKeys('q');
    expect(await s.waitForExit()).toBe(0);
    const screen = framed(await s.capture());
    expect(await s.alternateOn(), screen).toBe(false);
    expect(await s.cursorVisible(), screen).toBe(true);
    const modes = await s.ttyModes();
    expect(modes.icanon && modes.echo && modes.isig, `tty left in raw mode:\n${modes.text}`).toBe(true);
    expect(await s.lines(), screen).toEqual([PREAMBLE, 'EXIT=0']);
  });

  it('Goroutines: the group parked in main.leakWorker, first, with a count that grows', async () => {
    const t = await target('goroutine-leak');
    const s = await openView(t);
    await s.sendKeys('3');
    await s.waitFor(/\[3 Goroutines\]/);
    // debug=1 stacks hide runtime frames: the top frame of a goroutine blocked in a channel
    // receive is the user function itself, and so is its first (outermost) frame.
    const row = /^›\s+(\d+)\s+([+-]?\d+)\s+main\.leakWorker\s+main\.leakWorker\s*$/m;
    const first = Number((await s.waitFor(row))[1]);
    expect(first).toBeGreaterThan(0);
    const later = await s.waitUntil((screen) => {
      const m = row.exec(screen);
      return m && Number(m[1]) > first ? Number(m[1]) : undefined;
    }, `the main.leakWorker count to grow past ${first}`);
    expect(later).toBeGreaterThan(first);
    const header = await s.waitFor(/^(\d+) goroutines \(\+(\d+) since the first poll\)/m);
    expect(Number(header[2])).toBeGreaterThan(0);

    // Enter: the debug=2 dump of the group says who created it and what it waits for.
    await s.sendKeys('Enter');
    await s.waitFor(/^\d+ goroutines waiting in main\.leakWorker/m);
    await s.waitFor(/created by main\.spawnLeakers/);
    await s.waitFor(/\d+ × chan receive/);
  });
});

describe.skipIf(!haveGoAndTmux)('--record: the view records what it shows, and the replay shows it again', () => {
  const work = mkdtempSync(join(tmpdir(), 'livepprof-tui-record-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Goroutines, Enter on the leakWorker group: its states and creator from goroutine?debug=2. */
  async function openLeakGroup(s: TmuxSession): Promise<void> {
    await s.sendKeys('3');
    await s.waitFor(/^›\s+\d+\s+[+-]?\d+\s+main\.leakWorker\s+main\.leakWorker\s*$/m);
    await s.sendKeys('Enter');
    await s.waitFor(/^from goroutine\?debug=2 at [\d:]+: \d+ goroutines/m);
    await s.waitFor(/created by main\.spawnLeakers/);
    await s.waitFor(/\d+ × chan receive/);
  }

  it('a group opened live is recorded with its goroutine?debug=2 dump; replaying the recording shows its states', async () => {
    const t = await target('goroutine-leak');
    const rec = join(work, 'rec');
    const exports = join(work, 'exports');
    const live = await openView(t, ['--record', rec, '--export-dir', exports]);
    await openLeakGroup(live);
    // e from Goroutines writes the goroutine profile, into --export-dir.
    await live.sendKeys('e');
    await live.waitFor(/wrote livepprof-127\.0\.0\.1_\d+-\d{8}-\d{6}-goroutine\.pb\.gz in\s/);
    const exported = readdirSync(exports);
    expect(exported).toHaveLength(1);
    expect(statSync(join(exports, exported[0]!)).mode & 0o777).toBe(0o600);
    await live.sendKeys('q');
    expect(await live.waitForExit()).toBe(0);

    // The recording: version 2, private, and the dump in the poll it followed.
    expect(readFileSync(join(rec, 'FORMAT'), 'utf8')).toBe('livepprof-recording 2\n');
    expect(statSync(rec).mode & 0o777).toBe(0o700);
    const files = readdirSync(rec, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    for (const f of files) expect(statSync(join(f.parentPath, f.name)).mode & 0o777, f.name).toBe(0o600);
    const dumps = files.filter((f) => f.name === 'goroutine-debug2.txt');
    expect(dumps.length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(dumps[0]!.parentPath, dumps[0]!.name), 'utf8')).toMatch(/^goroutine \d+ \[/);

    const replay = await startTmux({ command: [process.execPath, CLI, rec, '--speed', '0'], width: 80, height: 24, preamble: PREAMBLE });
    sessions.push(replay);
    await replay.waitFor(/\(recording\)/);
    await replay.waitForRawMode();
    await openLeakGroup(replay);
    await replay.sendKeys('q');
    expect(await replay.waitForExit()).toBe(0);
  });
});

describe.skipIf(!haveTmux)('livepprof demo', () => {
  it('replays the recorded incident with its banner and the runtime-retention verdict, no target needed', async () => {
    const s = await startTmux({ command: [process.execPath, CLI, 'demo', '--speed', '0'], width: 80, height: 24, preamble: PREAMBLE });
    sessions.push(s);
    await s.waitFor(/DEMO: a recorded replay/);
    await s.waitFor(/verdict: runtime retention, not a leak: RSS 3\d\dMB, of which 3\d\dMB is free memory/);
    const screen = await s.capture({ joinWrapped: true });
    expect(screen, framed(screen)).toMatch(/LazyFree 3\d\dMB/);
    expect(screen).toMatch(/^R rss 3\d\dMB\(proc\) G goal 4\.00MB L live \S+ K kept 3\d\dMB/m);
    expect(screen).toMatch(/^livepprof demo {2}runtime retention/m);
    await s.sendKeys('q');
    expect(await s.waitForExit()).toBe(0);
  });
});

describe.skipIf(!haveGoAndTmux)('livepprof with no target: the picker', () => {
  it('lists the fixture target found through /proc, with the demo last, and Enter attaches (also with CI set)', async () => {
    const t = await target('steady');
    // CI=true in a user's shell (or a CI runner) must not turn Ink's interactive rendering off.
    const s = await startTmux({ command: [process.execPath, CLI], width: 100, height: 24, preamble: PREAMBLE, env: { CI: 'true' } });
    sessions.push(s);
    await s.waitFor(new RegExp(`127\\.0\\.0\\.1:${t.port} {2}pid ${t.pid}`));
    const screen = await s.capture();
    const lines = screen.split('\n');
    const targetLine = lines.findIndex((l) => l.includes(`127.0.0.1:${t.port}`));
    const demoLine = lines.findIndex((l) => l.includes('demo — a recorded incident'));
    expect(demoLine, framed(screen)).toBeGreaterThan(targetLine);
    // Move the choice onto our target (other pprof services on this host may be listed first).
    for (let i = 0; i < 20; i++) {
      if (/❯ 127\.0\.0\.1:(\d+)/.exec(await s.capture())?.[1] === String(t.port)) break;
      await s.sendKeys('Down');
      await new Promise((r) => setTimeout(r, 100));
    }
    await s.sendKeys('Enter');
    await s.waitFor(new RegExp(`^livepprof 127\\.0\\.0\\.1:${t.port}`, 'm'));
    await s.waitFor(/\[1 Overview\]/);
    await s.waitForRawMode();
    await s.sendKeys('q');
    expect(await s.waitForExit()).toBe(0);
  });
});

describe.skipIf(!haveGoAndTmux)('the target restarting under the full-screen view', () => {
  it('shows the failure, recovers by itself, flags the restart, and keeps the history', async () => {
    const t = await target('steady');
    const s = await openView(t);
    // The legend: "last 10s · poll 12", the chart's window and the poll number.
    const legend = (screen: string) => {
      const m = /last (?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)? · poll (\d+)/.exec(screen);
      return { windowS: m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : 0, poll: Number(m?.[4] ?? 0) };
    };
    await s.waitUntil((screen) => legend(screen).poll >= 3, 'three polls');
    const before = legend(await s.capture());
    await t.stop();
    await s.waitFor(/✗ failing \(refused, retrying in \d+s\)/);
    await s.waitFor(/^poll failed: connection refused by 127\.0\.0\.1:\d+/m);
    expect(legend(await s.capture()).windowS, 'the data stays on screen while failing').toBe(before.windowS);
    await t.restart();
    await s.waitFor(/target restarted at \d\d:\d\d:\d\d: pid changed/, 20_000);
    await s.waitFor(/● every 1s/);
    // The polls from before the restart are still on the chart: its window spans them and the new ones.
    await s.waitUntil((screen) => legend(screen).windowS > before.windowS + 1, 'the chart to span the polls before the restart and after');
    await s.sendKeys('q');
    expect(await s.waitForExit()).toBe(0);
  });
});
