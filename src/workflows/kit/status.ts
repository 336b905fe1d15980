/**
 * Status reporting for any procedure: the status object the `status` query
 * returns, the markdown an operator reads in the UI (current details), the
 * search attributes (upserted only when they change, so history stays
 * small), and an optional listener (a child telling its parent).
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';

export interface ReporterOptions<S> {
  status: S;
  /** the UI's current details, from the status */
  details: (status: S) => string;
  /** every search attribute the workflow sets, from the status */
  searchAttributes: (status: S) => SearchAttributeUpdatePair[];
  /** told after each report (not after the final one: the result is the last word) */
  onReport?: (status: S) => void;
}

export interface Reporter<S> {
  readonly status: S;
  /** Shows the status: details, changed search attributes, listener. */
  report(): void;
  /** The last report: details and search attributes, without the listener. */
  reportFinal(): void;
}

export function createReporter<S>(options: ReporterOptions<S>): Reporter<S> {
  let lastDetails: string | undefined;
  const lastValues = new Map<string, string>();

  function show(): void {
    const details = options.details(options.status);
    if (details !== lastDetails) {
      setCurrentDetails(details);
      lastDetails = details;
    }
    const changed = options.searchAttributes(options.status).filter((pair) => {
      const value = JSON.stringify(pair.value);
      if (lastValues.get(pair.key.name) === value) return false;
      lastValues.set(pair.key.name, value);
      return true;
    });
    if (changed.length > 0) upsertSearchAttributes(changed);
  }

  return {
    status: options.status,
    report() {
      show();
      options.onReport?.(options.status);
    },
    reportFinal() {
      show();
    },
  };
}

/** How many refused messages a status keeps (the newest), so a flood of bad signals cannot grow it without end. */
export const MAX_REFUSALS = 20;

/** Records a refused message where the operator sees it, keeping the newest MAX_REFUSALS. */
export function recordRefusal(refusals: string[], problem: string): void {
  refusals.push(problem);
  if (refusals.length > MAX_REFUSALS) refusals.splice(0, refusals.length - MAX_REFUSALS);
}
