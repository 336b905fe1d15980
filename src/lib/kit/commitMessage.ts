/**
 * A commit message cleaned up and signed off in-process, byte for byte as
 *   git stripspace | git interpret-trailers --no-divider --where end \
 *     --if-exists addIfDifferentNeighbor --if-missing add --trailer "Signed-off-by: <name> <email>"
 * prints it with git's default settings (comment character '#', separator ':', no trailer.* config).
 * Character classes are git's own ASCII ones (`isspace` is space, \t, \n and \r); case-insensitive
 * comparisons fold ASCII only, as strcasecmp does under LC_ALL=C. Pure.
 */

const COMMENT = '#';
const SCISSORS = `${COMMENT} ------------------------ >8 ------------------------`;
/** Trailers git writes itself: one of them lets a trailer block hold other lines too. */
const GIT_GENERATED = ['Signed-off-by: ', '(cherry picked from commit '];

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** `git stripspace` (comments kept): trailing whitespace off every line, blank-line runs to one, none at the ends. */
export function stripSpace(text: string): string {
  let out = '';
  let empties = 0;
  for (const raw of text.split('\n')) {
    let end = raw.length;
    while (end > 0 && isSpace(raw[end - 1])) end -= 1;
    if (end === 0) {
      empties += 1;
      continue;
    }
    if (empties > 0 && out !== '') out += '\n';
    empties = 0;
    out += `${raw.slice(0, end)}\n`;
  }
  return out;
}

function nextLine(buf: string, at: number): number {
  const nl = buf.indexOf('\n', at);
  return nl < 0 ? buf.length : nl + 1;
}

/** The start of the line before `len` (the last character, a newline, belongs to that line); -1 when empty. */
function lastLine(buf: string, len: number): number {
  if (len === 0) return -1;
  if (len === 1) return 0;
  const nl = buf.lastIndexOf('\n', len - 2);
  return nl < 0 ? 0 : nl + 1;
}

function isBlankLine(buf: string, at: number): boolean {
  let i = at;
  while (i < buf.length && buf[i] !== '\n' && isSpace(buf[i])) i += 1;
  return i >= buf.length || buf[i] === '\n';
}

/** Index of the separator ':' after a token (letters, digits, '-', then optional blanks), or -1. */
function findSeparator(line: string): number {
  let whitespaceFound = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (c === ':') return i;
    if (!whitespaceFound && (isAlnum(c) || c === '-')) continue;
    if (i !== 0 && (c === ' ' || c === '\t')) {
      whitespaceFound = true;
      continue;
    }
    break;
  }
  return -1;
}

/** Where the trailer block may end: before trailing comments, blank lines, a "Conflicts:" block or the scissors. */
function findTrailerEnd(buf: string): number {
  let cutoff = buf.length;
  if (buf.startsWith(SCISSORS)) cutoff = 0;
  else {
    const at = buf.indexOf(`\n${SCISSORS}`);
    if (at >= 0) cutoff = at + 1;
  }
  let boc = 0;
  let inConflicts = false;
  for (let bol = 0; bol < cutoff;) {
    const nl = buf.indexOf('\n', bol);
    const next = nl < 0 || nl >= cutoff ? cutoff : nl + 1;
    if (buf[bol] === COMMENT || buf[bol] === '\n') {
      if (boc === 0) boc = bol;
    } else if (buf.startsWith('Conflicts:\n', bol)) {
      inConflicts = true;
      if (boc === 0) boc = bol;
    } else if (inConflicts && buf[bol] === '\t') {
      // a path in the conflicts block
    } else if (boc !== 0) {
      boc = 0;
      inConflicts = false;
    }
    bol = next;
  }
  return boc !== 0 ? boc : cutoff;
}

/** The start of the trailer block in buf[0, len): a last paragraph of trailers (or ≥ 25% with a git one). */
function findTrailerStart(buf: string, len: number): number {
  let s = 0;
  for (; s < len; s = nextLine(buf, s)) {
    if (buf[s] === COMMENT) continue;
    if (isBlankLine(buf, s)) break;
  }
  const endOfTitle = s;
  let onlySpaces = true;
  let recognizedPrefix = false;
  let trailerLines = 0;
  let nonTrailerLines = 0;
  let continuations = 0;
  for (let l = lastLine(buf, len); l >= endOfTitle; l = lastLine(buf, l)) {
    if (buf[l] === COMMENT) {
      nonTrailerLines += continuations;
      continuations = 0;
      continue;
    }
    if (isBlankLine(buf, l)) {
      if (onlySpaces) continue;
      nonTrailerLines += continuations;
      if (recognizedPrefix && trailerLines * 3 >= nonTrailerLines) return nextLine(buf, l);
      if (trailerLines > 0 && nonTrailerLines === 0) return nextLine(buf, l);
      return len;
    }
    onlySpaces = false;
    const line = buf.slice(l, nextLine(buf, l));
    if (GIT_GENERATED.some((prefix) => line.startsWith(prefix))) {
      trailerLines += 1;
      continuations = 0;
      recognizedPrefix = true;
    } else if (findSeparator(line) >= 1 && !isSpace(line[0])) {
      trailerLines += 1;
      continuations = 0;
    } else if (isSpace(line[0])) {
      continuations += 1;
    } else {
      nonTrailerLines += 1 + continuations;
      continuations = 0;
    }
  }
  return len;
}

interface Item {
  token: string | undefined;
  value: string;
}

const trim = (s: string): string => s.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');

function tokenLength(token: string): number {
  let len = token.length;
  while (len > 0 && !isAlnum(token[len - 1])) len -= 1;
  return len;
}

/** git's same_token: the shorter token (without trailing punctuation) is a case-insensitive prefix of the other. */
function sameToken(a: Item, token: string): boolean {
  if (a.token === undefined) return false;
  const min = Math.min(tokenLength(a.token), tokenLength(token));
  return asciiLower(a.token.slice(0, min)) === asciiLower(token.slice(0, min));
}

/** The trailer items of buf[start, end): continuation lines joined to their trailer, comments dropped. */
function parseTrailers(block: string): Item[] {
  const lines = block.split(/(?<=\n)/).filter((line) => line !== '');
  const joined: string[] = [];
  let lastIsTrailer = false;
  for (const line of lines) {
    if (lastIsTrailer && isSpace(line[0])) {
      joined[joined.length - 1] += line;
      continue;
    }
    joined.push(line);
    lastIsTrailer = findSeparator(line) >= 1;
  }
  const items: Item[] = [];
  for (const trailer of joined) {
    if (trailer[0] === COMMENT) continue;
    const at = findSeparator(trailer);
    if (at >= 1) items.push({ token: trim(trailer.slice(0, at)), value: trim(trailer.slice(at + 1)) });
    else items.push({ token: undefined, value: trailer.endsWith('\n') ? trailer.slice(0, -1) : trailer });
  }
  return items;
}

/** `message` as `git commit -s -m message` stores it, through stripspace and interpret-trailers; '' when empty. */
export function signedOffMessage(message: string, author: { name: string; email: string }): string {
  const buf = stripSpace(message);
  if (buf === '') return '';
  const end = findTrailerEnd(buf);
  const start = findTrailerStart(buf, end);
  const blankBefore = start > 0 && isBlankLine(buf, lastLine(buf, start));
  const items = parseTrailers(buf.slice(start, end));
  const signOff: Item = { token: 'Signed-off-by', value: `${author.name} <${author.email}>` };
  const last = items[items.length - 1];
  const same =
    last !== undefined &&
    sameToken(last, signOff.token!) &&
    asciiLower(last.value) === asciiLower(signOff.value);
  if (!same) items.push(signOff);
  const printed = items
    .map((item) => (item.token === undefined ? `${item.value}\n` : `${item.token}: ${item.value}\n`))
    .join('');
  return `${buf.slice(0, start)}${blankBefore ? '' : '\n'}${printed}${buf.slice(end)}`;
}
