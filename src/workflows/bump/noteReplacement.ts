/**
 * What a branch checks of a `replaceNote` before it takes it (a person can
 * send the signal too): the parent sends every branch the planned note with
 * new text, so the file and the section are the planned ones and the content
 * is that text rendered, exactly. Pure.
 */
import { notePlanProblem, type ReleaseNotePlan } from '../../shared/bump.js';

/** Why `sent` is no replacement of the `planned` note, or undefined when it is one. */
export function replacementProblem(planned: ReleaseNotePlan, sent: ReleaseNotePlan): string | undefined {
  if (sent.file !== planned.file)
    return `expected the note file ${planned.file}, found ${JSON.stringify(sent.file)}`;
  if (sent.section !== planned.section)
    return `expected the section ${planned.section}, found ${JSON.stringify(sent.section)}`;
  return notePlanProblem(sent);
}
