/** The search attributes of a bump and of its branches, from their status. Deterministic. */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  BumpBranch,
  BumpService,
  BumpState,
  ImageRepo,
  Procedure,
  State,
  Target,
} from '../../shared/searchAttributes.js';
import { Procedures } from '../../shared/messages.js';
import type { BranchStatus, BumpBranchInput } from '../../shared/bump.js';
import { imageRepoKey, repoKey } from './repoKey.js';

export function bumpSearchAttributes(p: {
  service: string;
  targetRepo: string;
  image?: string | undefined;
  state: string;
}): SearchAttributeUpdatePair[] {
  const pairs: SearchAttributeUpdatePair[] = [
    { key: Procedure, value: Procedures.bump },
    { key: Target, value: repoKey(p.targetRepo) },
    { key: State, value: p.state },
    { key: BumpService, value: p.service },
    { key: BumpState, value: p.state },
  ];
  if (p.image !== undefined) pairs.push({ key: ImageRepo, value: imageRepoKey(p.image) });
  return pairs;
}

export function branchSearchAttributes(input: BumpBranchInput, s: BranchStatus): SearchAttributeUpdatePair[] {
  return [
    ...bumpSearchAttributes({
      service: input.service,
      targetRepo: input.targetRepo,
      image: s.image,
      state: s.state,
    }),
    { key: BumpBranch, value: input.branch },
  ];
}
