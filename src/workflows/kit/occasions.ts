/**
 * The key of each occasion a notice is told on: the first under its base
 * (`blocked`), the next ones numbered (`blocked#2`), so a state entered anew
 * is told anew and a report of the same occasion never is. Pure.
 */
export function occasionKeys(): (base: string) => string {
  const seen = new Map<string, number>();
  return (base) => {
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  };
}
