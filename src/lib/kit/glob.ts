/**
 * Globs a person writes over image names and tags (`promotion.approval`,
 * `signatures[].images`, `cleanup --tags`): picomatch globs, checked once so
 * that one that cannot be read, or that could match no name, is refused
 * instead of silently matching nothing. Pure.
 */
import picomatch from 'picomatch';

/**
 * An error text for an image or tag glob that picomatch cannot read or that
 * could match no image (tag) name, or undefined when it is one.
 */
export function globProblem(what: 'image' | 'tag', glob: string): string | undefined {
  const chars = what === 'image' ? /^[a-z0-9._/:*?!{},[\]-]+$/ : /^[A-Za-z0-9._*?!{},[\]-]+$/;
  const example = what === 'image' ? 'ghcr.io/acme/* or ghcr.io/**' : 'prod, prod-* or {prod,latest}';
  const allowed =
    what === 'image' ? 'lowercase letters, digits, . _ - / : and' : 'letters, digits, . _ - and';
  const expected = `expected ${what === 'image' ? 'an image' : 'a tag'} glob such as ${example} (${allowed} the glob characters * ? ! [ ] { } ,)`;
  if (typeof glob !== 'string' || !chars.test(glob)) return `${expected}, found ${JSON.stringify(glob)}`;
  const count = (c: string) => glob.split(c).length - 1;
  let broken = count('[') !== count(']') || count('{') !== count('}') ? 'an unclosed [ or {' : undefined;
  try {
    picomatch.makeRe(glob, { debug: true } as picomatch.PicomatchOptions);
  } catch (err) {
    broken ??=
      err instanceof Error ? err.message.replace(/^Invalid regular expression: .*: /, '') : 'an error';
  }
  return broken === undefined
    ? undefined
    : `${expected}, found ${JSON.stringify(glob)}, which matches nothing (${broken})`;
}
