/** Outcome counters emitted from workflow code (the worker's Prometheus endpoint exports them). */
import { metricMeter } from '@temporalio/workflow';

/** `bumpflow_branch_outcomes{service,outcome}`: branches of bumps that ended, by outcome. */
export function countBranchOutcome(service: string, outcome: string): void {
  metricMeter
    .createCounter('bumpflow_branch_outcomes', 'branches', 'Branches of bumps that ended, by outcome')
    .add(1, { service, outcome });
}
