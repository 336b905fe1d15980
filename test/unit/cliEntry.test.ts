/**
 * The command as a shell runs it: bin/bumpflow.js (through src/client.ts's
 * `run`) prints its help, and ends quietly — status 0, no EPIPE stack — when
 * its reader goes away early (`bumpflow --help | head`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { repoRoot } from '../../src/sandbox/paths.js';
import { exitQuietlyWhenStdoutCloses } from '../../src/cli/kit/closedStdout.js';

const BIN = path.join(repoRoot, 'bin', 'bumpflow.js');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  firstLine: string;
  stderr: string;
}

/**
 * Runs `bumpflow <args>` with stdout on a pipe that this reader closes: at once (`lines: 0`, before
 * the command wrote anything, so its write meets a closed pipe) or after the first line (`| head -1`).
 */
function runClosingAfter(lines: 0 | 1, ...args: string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let firstLine = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (lines === 0) child.stdout.destroy();
    else
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0 && !child.stdout.destroyed) {
          firstLine = out.slice(0, nl);
          child.stdout.destroy();
        }
      });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, firstLine, stderr });
    });
  });
}

void describe('bin/bumpflow.js', () => {
  void it('--help prints the usage and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Usage: bumpflow \[options\] \[command\]\n/);
    assert.match(stdout, /^\s+approve \[options\] <id>/m);
    assert.match(stdout, /Exit codes: 0 done;/);
    assert.equal(stderr, '');
  });

  void it('ends quietly, status 0, when the reader has closed the pipe before it writes', async () => {
    const r = await runClosingAfter(0, '--help');
    assert.equal(r.stderr, '', 'nothing on stderr: no EPIPE, no stack');
    assert.equal(r.signal, null);
    assert.equal(r.code, 0);
  });

  void it('ends quietly, status 0, when the reader closes after the first line (`| head -1`)', async () => {
    const r = await runClosingAfter(1, '--help');
    assert.equal(r.firstLine, 'Usage: bumpflow [options] [command]');
    assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /);
    assert.equal(r.code, 0);
  });
});

void describe('exitQuietlyWhenStdoutCloses', () => {
  void it('EPIPE exits 0; any other error stays an error; installed once per stream', () => {
    const stream = new EventEmitter() as unknown as NodeJS.WritableStream;
    const exits: number[] = [];
    exitQuietlyWhenStdoutCloses(stream, (code) => void exits.push(code));
    exitQuietlyWhenStdoutCloses(stream, (code) => void exits.push(code));
    assert.equal((stream as unknown as EventEmitter).listenerCount('error'), 1);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.deepEqual(exits, [0]);
    assert.throws(
      () => stream.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' })),
      /write EIO/,
    );
    assert.deepEqual(exits, [0]);
  });
});
