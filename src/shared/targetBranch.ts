/** A branch a sweep or a pin run reads (`main`, `stable/<release>`): never a git option or another ref. Pure. */
import { z } from 'zod';
import { branchTag } from '../lib/kit/branches.js';

export const targetBranchSchema = z
  .string()
  .max(200)
  .superRefine((branch, refinement) => {
    try {
      branchTag(branch);
    } catch (err) {
      refinement.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  });
