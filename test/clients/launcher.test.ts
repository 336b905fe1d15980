/**
 * The launcher (src/clients/process/launcher.ts): processes started by a small helper process, on real
 * processes (sh, cat, sleep). Bytes round-trip, stdin, exit codes and signals, a timeout or an abort
 * kills the whole process group, a helper that dies fails its calls (then a new one serves), and the
 * helper ends with its parent. Also prints how long a launch blocks the event loop against a direct spawn.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { launch, launcherPid, shutdownLauncher } from '../../src/clients/process/launcher.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
let dir = '';

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bumpflow-launcher-'));
});

after(async () => {
  await shutdownLauncher();
  await rm(dir, { recursive: true, force: true });
});

const run = (script: string, extra: { input?: string; timeoutMs?: number; signal?: AbortSignal } = {}) =>
  launch('sh', ['-c', script], { cwd: dir, env, timeoutMs: 20_000, ...extra });

/** Whether `pid` is a live process (a zombie nobody reaped yet counts as gone). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

async function gone(pids: number[], withinMs = 3000): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    const living = (await Promise.all(pids.map(alive))).some(Boolean);
    if (!living) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const pidsIn = (text: string) => text.trim().split(/\s+/).map(Number);

void describe('launcher', () => {
  test('stdout and stderr round-trip byte for byte: 5 MB of non-ASCII text, and an empty output', async () => {
    const line = 'pin ✓ digest sha256:0123 — naïve Grüße 日本語 🚀\n';
    const text = line.repeat(Math.ceil((5 * 1024 * 1024) / Buffer.byteLength(line)));
    await writeFile(path.join(dir, 'big.txt'), text);
    const result = await run('cat big.txt; printf "é\\n" >&2; exit 0');
    assert.equal(result.exitCode, 0);
    assert.ok(Buffer.byteLength(result.stdout) >= 5 * 1024 * 1024);
    assert.equal(result.stdout, text);
    assert.equal(result.stderr, 'é\n');
    const empty = await run('true');
    assert.deepEqual([empty.stdout, empty.stderr, empty.exitCode], ['', '', 0]);
  });

  test('input reaches stdin and is closed after; without input stdin is empty', async () => {
    const input = `${'héllo wörld\n'.repeat(100_000)}end`;
    const echoed = await launch('cat', [], { cwd: dir, env, timeoutMs: 20_000, input });
    assert.equal(echoed.stdout, input);
    const none = await run('cat; echo "after cat"');
    assert.equal(none.stdout, 'after cat\n');
  });

  test('exit codes, signals, the cwd and env as given, and a file that does not exist', async () => {
    assert.equal((await run('exit 7')).exitCode, 7);
    const signalled = await run('kill -TERM $$');
    assert.deepEqual(
      [signalled.exitCode, signalled.signal, signalled.timedOut],
      [undefined, 'SIGTERM', false],
    );
    const where = await launch('sh', ['-c', 'pwd; echo "$ONLY_THIS:$HOME"'], {
      cwd: dir,
      env: { PATH: env.PATH, ONLY_THIS: 'x' },
      timeoutMs: 5000,
    });
    assert.equal(where.stdout, `${dir}\nx:\n`);
    const missing = await launch('bumpflow-no-such-program', [], { cwd: dir, env, timeoutMs: 5000 });
    assert.equal(missing.exitCode, undefined);
    assert.match(missing.spawnError ?? '', /ENOENT/);
  });

  test('a timeout kills the whole process group, background children too', async () => {
    const started = Date.now();
    const result = await run('sleep 30 & echo $$ $!; sleep 30', { timeoutMs: 400 });
    assert.ok(Date.now() - started < 5000, 'the timeout ended the call');
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, undefined);
    assert.equal(result.signal, 'SIGKILL');
    const pids = pidsIn(result.stdout);
    assert.equal(pids.length, 2);
    assert.ok(await gone(pids), `processes ${pids.join(', ')} are still running`);
  });

  test('an abort kills the group and rejects with the signal’s reason; an aborted signal starts nothing', async () => {
    const pidFile = path.join(dir, 'aborted.pids');
    const controller = new AbortController();
    const reason = new Error('stop now');
    setTimeout(() => controller.abort(reason), 400);
    const started = Date.now();
    await assert.rejects(
      run(`sleep 30 & echo $$ $! >${pidFile}; sleep 30`, { signal: controller.signal }),
      reason,
    );
    assert.ok(Date.now() - started < 5000);
    const pids = pidsIn(await readFile(pidFile, 'utf8'));
    assert.ok(await gone(pids), `processes ${pids.join(', ')} are still running`);
    await rm(pidFile);
    await assert.rejects(run(`touch ${pidFile}`, { signal: controller.signal }), reason);
    await assert.rejects(readFile(pidFile), /ENOENT/);
  });

  test('a helper killed mid-call fails the call with a spawnError and kills its group; the next call starts a new helper', async () => {
    await run('true');
    const first = launcherPid() ?? assert.fail('no helper');
    const pidFile = path.join(dir, 'orphan.pids');
    const pending = run(`sleep 30 & echo $$ $! >${pidFile}; sleep 30`);
    while (!(await readFile(pidFile, 'utf8').catch(() => ''))) await new Promise((r) => setTimeout(r, 20));
    process.kill(first, 'SIGKILL');
    const lost = await pending;
    assert.equal(lost.exitCode, undefined);
    assert.match(lost.spawnError ?? '', /launcher process exited \(SIGKILL\)/);
    const pids = pidsIn(await readFile(pidFile, 'utf8'));
    assert.ok(await gone([first, ...pids]), `processes ${[first, ...pids].join(', ')} are still running`);
    const next = await run('echo fine');
    assert.equal(next.stdout, 'fine\n');
    assert.notEqual(launcherPid(), first);
  });

  test('the helper is small and ends, with everything it started, when its parent is SIGKILLed', async () => {
    const pidFile = path.join(dir, 'parent.pids');
    const script = path.join(dir, 'parent.mts');
    const launcherUrl = pathToFileURL(path.resolve('src/clients/process/launcher.ts')).href;
    await writeFile(
      script,
      [
        `import { launch, launcherPid } from ${JSON.stringify(launcherUrl)};`,
        `const call = launch('sh', ['-c', 'sleep 30 & echo $$ $! >${pidFile}; sleep 30'], { cwd: '/', env: { PATH: process.env.PATH }, timeoutMs: 60000 });`,
        `console.log(launcherPid());`,
        `await call;`,
      ].join('\n'),
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    while (!out.includes('\n') || !(await readFile(pidFile, 'utf8').catch(() => '')))
      await new Promise((r) => setTimeout(r, 20));
    const helper = Number(out.trim());
    const status = await readFile(`/proc/${helper}/status`, 'utf8');
    const rssMb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
    assert.ok(
      rssMb > 10 && rssMb < 80,
      `expected the helper at about 45 MB of RSS, found ${rssMb.toFixed(0)} MB`,
    );
    const cmdline = await readFile(`/proc/${helper}/cmdline`, 'utf8');
    assert.ok(!cmdline.includes('tsx'), `the helper runs without tsx: ${cmdline.slice(0, 80)}`);
    const pids = [helper, ...pidsIn(await readFile(pidFile, 'utf8'))];
    assert.ok(!(await gone(pids, 0)), 'everything runs before the parent dies');
    parent.kill('SIGKILL');
    assert.ok(await gone(pids), `processes ${pids.join(', ')} outlived their parent`);
  });

  test('measurement: event-loop block per process start at 400 MB RSS, direct spawn vs launcher', async (t) => {
    const ballast: Buffer[] = [];
    while (process.memoryUsage().rss < 400 * 1024 * 1024) ballast.push(Buffer.alloc(16 * 1024 * 1024, 1));
    const rssMb = process.memoryUsage().rss / 1024 / 1024;
    const rounds = 20;
    async function measure(start: () => Promise<unknown>) {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      let blocked = 0;
      histogram.enable();
      for (let i = 0; i < rounds; i += 1) {
        const before = performance.now();
        const done = start();
        blocked += performance.now() - before;
        await done;
      }
      histogram.disable();
      return { syncMs: blocked / rounds, maxDelayMs: histogram.max / 1e6 };
    }
    const direct = await measure(
      () => new Promise((resolve) => spawn('true', { stdio: 'ignore' }).on('close', resolve)),
    );
    await run('true');
    const launched = await measure(() => run('true'));
    ballast.length = 0;
    t.diagnostic(
      `at ${rssMb.toFixed(0)} MB RSS, per start: direct spawn blocks ${direct.syncMs.toFixed(2)} ms ` +
        `(event-loop delay max ${direct.maxDelayMs.toFixed(1)} ms), launcher ${launched.syncMs.toFixed(2)} ms ` +
        `(max ${launched.maxDelayMs.toFixed(1)} ms)`,
    );
    assert.ok(rssMb >= 400);
  });
});
