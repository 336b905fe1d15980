/**
 * A signal no handler of a workflow takes (a typo, another workflow's signal,
 * an internal one sent to the wrong workflow) is refused and recorded where
 * the operator reads refusals, never dropped unseen. `record` must issue no
 * command (a run may already hold such a signal in its history).
 */
import { setDefaultSignalHandler } from '@temporalio/workflow';

export function refuseUnknownSignals(takes: readonly string[], record: (problem: string) => void): void {
  setDefaultSignalHandler((name: string) =>
    record(`signal ${name} refused: this workflow takes ${takes.join(', ')}`),
  );
}
