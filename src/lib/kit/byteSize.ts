/**
 * Sizes an operator writes (`partSize: 64MiB`): a whole number and a binary
 * unit, B, KiB, MiB or GiB (a space between them allowed). Pure.
 *
 *   parseByteSize('64MiB'): 67108864; undefined for anything else
 *   (`64MB`, `1.5GiB`, `64`, `-5MiB`)
 */
const UNIT_BYTES = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;
const FORM = /^(\d{1,12})\s?(B|KiB|MiB|GiB)$/;

/** What a size must look like, for messages. */
export const BYTE_SIZE_FORMS = 'a whole number of B, KiB, MiB or GiB such as 64MiB';

export function parseByteSize(text: string): number | undefined {
  const m = FORM.exec(text);
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNIT_BYTES[m[2] as keyof typeof UNIT_BYTES];
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
