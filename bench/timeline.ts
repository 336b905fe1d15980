/**
 * Prints where one bumpflow run's wall time went, from a bench result
 * (`npm run bench` stores each workflow's events with their times):
 *   node --import tsx bench/timeline.ts <result.json> [--branches 8] [--rtt 0] [--phase warm] [--round 1]
 * One line per workflow task, activity and child: when it was scheduled, started and ended, in ms
 * after the CLI's start.
 */
import { readFileSync } from 'node:fs';
import type { HistoryStats } from './measure.js';

interface Result {
  blocks: Array<{
    n: number;
    rttMs: number;
    runs: Array<{ variant: string; phase: string; round: number; ms: number; histories?: HistoryStats[] }>;
  }>;
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && a.endsWith('.json'));
if (file === undefined) throw new Error('bench/timeline: expected a bench result file (.json)');
const result = JSON.parse(readFileSync(file, 'utf8')) as Result;
const n = Number(option(args, '--branches', '8'));
const rtt = Number(option(args, '--rtt', '0'));
const phase = option(args, '--phase', 'warm');
const roundNo = Number(option(args, '--round', phase === 'cold' ? '0' : '1'));
const run = result.blocks
  .find((b) => b.n === n && b.rttMs === rtt)
  ?.runs.find((r) => r.variant === 'bumpflow' && r.phase === phase && r.round === roundNo);
if (run?.histories === undefined)
  throw new Error(
    `bench/timeline: no bumpflow run with timelines for ${n} branches, ${rtt} ms, ${phase} ${roundNo}`,
  );
console.log(
  `bumpflow, ${n} branches, RTT ${rtt} ms, ${phase} round ${roundNo}: ${run.ms} ms from the CLI's start`,
);
for (const h of run.histories) {
  console.log(`\n${h.workflowId} (${h.events} events)`);
  for (const [at, type, name] of h.timeline ?? [])
    console.log(`${String(at).padStart(6)}  ${type}${name ? `  ${name}` : ''}`);
}
