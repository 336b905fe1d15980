/**
 * Release notes in reno's format: `releasenotes/notes/<slug>-<16 hex>.yaml`
 * holding one section with one entry. One file name and one content serve
 * every branch of a bump (reno tracks a note across branches by its id).
 * Pure: imported by workflow code.
 */
import { parse } from 'yaml';
import { fatal, FatalFailure } from '../../shared/failures.js';
import type { Reason } from './reason.js';

export type NoteSection = 'fixes' | 'upgrade';
export const NOTE_SECTIONS: readonly NoteSection[] = ['fixes', 'upgrade'];
export const NOTES_DIR = 'releasenotes/notes';
export const NOTE_WIDTH = 72;
const SLUG_MAX = 40;

function isSection(value: unknown): value is NoteSection {
  return typeof value === 'string' && (NOTE_SECTIONS as readonly string[]).includes(value);
}

/** Lowercase; runs of anything but [a-z0-9] become '-'; trimmed; at most `max` characters. */
export function slugify(text: string, max = SLUG_MAX): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

/** `releasenotes/notes/bump-<service>-<slug>-<16 hex>.yaml`, as `reno new bump-<service>-<slug>` would name it. */
export function noteFileName(service: string, slugText: string, hex16: string): string {
  if (!/^[a-f0-9]{16}$/.test(hex16)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a reno note id of exactly 16 lowercase hex characters, found ${JSON.stringify(hex16)}`,
      { id: hex16 },
    );
  }
  const name = slugify(service);
  if (name === '')
    throw fatal(
      FatalFailure.BadInput,
      `expected a service name with letters or digits for a release-note file name, found ${JSON.stringify(service)}`,
      { service },
    );
  const slug = ['bump', name, slugify(slugText)].filter((part) => part !== '').join('-');
  return `${NOTES_DIR}/${slug}-${hex16}.yaml`;
}

/**
 * reno's rule for a note file: `<slug>-<16 hex>.yaml`, the id being the last
 * 16 characters before `.yaml` (reno writes 8 random bytes as lowercase hex).
 */
export function isNoteFileName(path: string): boolean {
  const base = path.split('/').pop() ?? path;
  return /^[A-Za-z0-9][A-Za-z0-9._-]*-[a-f0-9]{16}\.yaml$/.test(base);
}

/** Word-wraps one line at `width`, continuing at its indentation (plus 2 after a list marker). */
function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const marker = /^\s*(?:[-*+]|\d+\.)\s+/.exec(line)?.[0];
  const hang = marker === undefined ? indent : ' '.repeat(marker.length);
  const out: string[] = [];
  let current = indent;
  let empty = true;
  for (const word of line
    .slice(indent.length)
    .split(/ +/)
    .filter((w) => w !== '')) {
    if (!empty && current.length + 1 + word.length > width) {
      out.push(current);
      current = hang + word;
    } else {
      current = empty ? current + word : `${current} ${word}`;
    }
    empty = false;
  }
  out.push(current);
  return out;
}

function checkText(text: string): string {
  const body = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
  if (body.trim() === '')
    throw fatal(
      FatalFailure.BadInput,
      `expected release-note text, found an empty one: ${JSON.stringify(text)}`,
    );
  if (body.includes('\t'))
    throw fatal(
      FatalFailure.BadInput,
      `expected release-note text without tabs, found a tab in ${JSON.stringify(text.slice(0, 120))}`,
    );
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\ufeff]/.exec(body);
  if (control)
    throw fatal(
      FatalFailure.BadInput,
      `expected release-note text of printable characters, found ${JSON.stringify(control[0])} in ${JSON.stringify(text.slice(0, 120))}`,
    );
  return body;
}

/**
 * What is wrong with a replacement release note's text (empty, a tab, a
 * control character), or undefined when renderNote takes it: the CLI and the
 * approve payload's schema refuse it before it reaches a workflow.
 */
export function noteTextProblem(text: string): string | undefined {
  try {
    checkText(text);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * A reno note with one entry in `section`:
 *   ---
 *   fixes:
 *     - |
 *       The Magnum container image now includes …
 * Long lines are wrapped at ~72 columns on word boundaries; existing line
 * breaks (RST lists, paragraphs) are kept.
 */
export function renderNote(section: NoteSection, text: string): string {
  if (!isSection(section))
    throw fatal(
      FatalFailure.BadInput,
      `expected a note section of ${NOTE_SECTIONS.join(' or ')}, found ${JSON.stringify(section)}`,
    );
  // Common indentation goes; the first line sets the block's indentation, so it starts at the margin.
  const raw = checkText(text).split('\n');
  const dedent = Math.min(...raw.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  const lines = raw
    .map((l, i) => (i === 0 ? l.trimStart() : l.slice(dedent)))
    .flatMap((l) => wrapLine(l, NOTE_WIDTH - 4))
    .map((l) => (l === '' ? '' : `    ${l}`));
  return `---\n${section}:\n  - |\n${lines.join('\n')}\n`;
}

const ACRONYMS: Record<string, string> = {
  api: 'API',
  bgp: 'BGP',
  cli: 'CLI',
  csi: 'CSI',
  db: 'DB',
  hpe: 'HPE',
  ipmi: 'IPMI',
  nfs: 'NFS',
  ovn: 'OVN',
  ovs: 'OVS',
  ssh: 'SSH',
  tls: 'TLS',
  openstack: 'OpenStack',
  openstackclient: 'OpenStack client',
  openvswitch: 'Open vSwitch',
  libvirtd: 'libvirt',
};

/** `magnum` → `Magnum`, `ovn-bgp-agent` → `OVN BGP Agent`, `ghcr.io/vexxhost/nova-ssh` → `Nova SSH`. */
export function serviceDisplayName(service: string): string {
  const base = service.split('/').pop() ?? service;
  return base
    .split(/[-_]+/)
    .filter((w) => w !== '')
    .map((w) => ACRONYMS[w] ?? `${w.charAt(0).toUpperCase()}${w.slice(1)}`)
    .join(' ');
}

/** Python packages spelled the way release notes speak of them. */
const DEPENDENCY_PROSE: Record<string, string> = {
  'magnum-cluster-api': 'the Cluster API driver for Magnum',
  'python-openstackclient': 'the OpenStack client',
  'ovn-bgp-agent': 'the OVN BGP agent',
  'oslo-messaging': 'the Oslo messaging library',
};

function dependencyProse(name: string): string {
  return DEPENDENCY_PROSE[name.toLowerCase().replace(/[-_.]+/g, '-')] ?? `\`\`${name}\`\``;
}

/** A first draft of the note's text, from the project's perspective; never empty. */
export function draftNoteText(input: {
  service: string;
  image: string;
  reason?: Reason | undefined;
  section?: NoteSection | undefined;
}): string {
  const name = serviceDisplayName(input.service.trim() === '' ? input.image : input.service) || 'service';
  const subject = `The ${name} container image`;
  const reason = input.reason;
  if (reason === undefined) return `${subject} has been updated to the latest build of its release branch.`;
  switch (reason.kind) {
    case 'dependency':
    case 'release':
      return `${subject} now includes ${dependencyProse(reason.name)} version ${reason.version}.`;
    case 'commit': {
      const where =
        reason.owner && reason.repo ? `of ${reason.owner}/${reason.repo}` : 'of its source repository';
      return `${subject} now includes the fix from commit \`\`${reason.sha.slice(0, 12)}\`\` ${where}.`;
    }
    case 'pull-request': {
      const where =
        reason.owner && reason.repo ? `of ${reason.owner}/${reason.repo}` : 'of its source repository';
      return `${subject} now includes the fix from pull request #${reason.number} ${where}.`;
    }
  }
}

/**
 * Reads a reno note (e.g. an approver's replacement): exactly one section,
 * `fixes` or `upgrade`, holding one string (or a list of one string, as reno
 * allows both). BadInput otherwise, showing what was found.
 */
export function parseNote(text: string): { section: NoteSection; text: string } {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    const first = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
    throw fatal(FatalFailure.BadInput, `expected a reno note in YAML, found a syntax error: ${first}`, {
      note: text.slice(0, 500),
    });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw fatal(
      FatalFailure.BadInput,
      `expected a reno note mapping one section (${NOTE_SECTIONS.join(' or ')}) to a list of strings, found ${Array.isArray(data) ? 'a list' : JSON.stringify(data)}`,
      {
        note: text.slice(0, 500),
      },
    );
  }
  const entries = Object.entries(data as Record<string, unknown>);
  const first = entries[0];
  if (entries.length !== 1 || first === undefined || !isSection(first[0])) {
    throw fatal(
      FatalFailure.BadInput,
      `expected exactly one section, ${NOTE_SECTIONS.join(' or ')}, found ${entries.map(([k]) => JSON.stringify(k)).join(', ') || 'none'}`,
      {
        sections: entries.map(([k]) => k),
      },
    );
  }
  const [section, value] = first;
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${section} to be a list of strings, found ${JSON.stringify(value)}`,
      { section },
    );
  }
  if (items.length !== 1) {
    throw fatal(
      FatalFailure.BadInput,
      `expected ${section} to hold exactly one entry (one note per bump), found ${items.length}`,
      { section, count: items.length },
    );
  }
  return { section, text: checkText(String(items[0])) };
}
