/**
 * Which bumps a sweep starts: the behind pins grouped by service, the name a
 * bump is asked for (see serviceSelection.ts). A service is its image's last
 * path segment (`magnum` for ghcr.io/vexxhost/magnum) unless another image
 * pinned on any branch shares that segment, or it is not a plain service
 * name: then the full image name, which selectService takes as it is.
 *
 * Exports:
 *   servicesBehind(pins: SweepPins, outcome: SweepOutcome): ServiceBump[]
 *     sorted by service; branches in the sweep's branch order.
 * Pure: no I/O.
 */
import { SERVICE_PATTERN } from '../kit/varsFile.js';
import { type Evidence, type PinVerdict, type SweepOutcome } from './decide.js';
import { type SweepPins } from './pins.js';

export interface ServiceBump {
  /** what `bumpflow bump` is given: `magnum`, or `ghcr.io/vexxhost/magnum` when the short name is ambiguous */
  service: string;
  image: string;
  /** the branches with at least one behind pin of the image */
  branches: string[];
  /** the behind pins, branch by branch */
  pins: PinVerdict[];
  /** the evidence found on any behind pin (a bump started for it will refuse it) */
  evidence: Evidence[];
}

export function servicesBehind(pins: SweepPins, outcome: SweepOutcome): ServiceBump[] {
  const lastSegment = (image: string) => image.slice(image.lastIndexOf('/') + 1);
  const bySegment = new Map<string, Set<string>>();
  for (const image of pins.images) {
    const segment = lastSegment(image);
    bySegment.set(segment, (bySegment.get(segment) ?? new Set()).add(image));
  }
  const serviceOf = (image: string) => {
    const segment = lastSegment(image);
    return SERVICE_PATTERN.test(segment) && bySegment.get(segment)?.size === 1 ? segment : image;
  };
  const order = new Map(pins.branches.map((b, i) => [b, i]));
  const groups = new Map<string, ServiceBump>();
  for (const pin of outcome.pins) {
    if (pin.state !== 'behind') continue;
    const group = groups.get(pin.image) ?? {
      service: serviceOf(pin.image),
      image: pin.image,
      branches: [],
      pins: [],
      evidence: [],
    };
    group.pins.push(pin);
    if (!group.branches.includes(pin.branch)) group.branches.push(pin.branch);
    for (const e of pin.evidence ?? [])
      if (!group.evidence.some((g) => JSON.stringify(g) === JSON.stringify(e))) group.evidence.push(e);
    groups.set(pin.image, group);
  }
  const rank = (branch: string) => order.get(branch) ?? Number.MAX_SAFE_INTEGER;
  return [...groups.values()]
    .map((g) => ({
      ...g,
      branches: [...g.branches].sort((a, b) => rank(a) - rank(b)),
      pins: [...g.pins].sort((a, b) => rank(a.branch) - rank(b.branch) || a.line - b.line),
    }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}
