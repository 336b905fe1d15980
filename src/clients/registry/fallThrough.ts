/**
 * Reads that fall through a registry's endpoints in order, as containerd
 * tries the hosts of a hosts.toml: an endpoint that does not answer (no
 * connection, timeout, 5xx, 429), refuses (401/403: AuthRefused) or does not
 * have it (404) is left for the next. The first answer wins. When none has
 * it: a probe (a 404 the caller takes as an answer: is there a `.sig` tag,
 * a referrers list?) gets "not there" from the endpoints that answered, as
 * containerd does; a read that must find something (a tag's digest, a
 * manifest, a blob, a tag list) fails with ManifestUnknown only when every
 * endpoint answered: one that did not makes it a transient
 * RegistryUnavailable (it may hold what was asked for: retry), else a
 * refusal (AuthRefused) is the answer. A definite answer about the
 * content (DigestMismatch, UnsupportedMediaType, BadInput) stops the read:
 * a mirror serving other bytes is said, not passed over. Each message names
 * every endpoint and what it answered.
 */
import {
  BumpflowError,
  fatal,
  FatalFailure,
  transient,
  TransientFailure,
  type FailureType,
} from '../../shared/failures.js';
import { type Route } from './mirrors.js';
import { pin, shownRoute, type Session } from './transport.js';

const FALLS_THROUGH: ReadonlySet<FailureType> = new Set<FailureType>([
  TransientFailure.RegistryUnavailable,
  FatalFailure.AuthRefused,
  FatalFailure.ManifestUnknown,
]);

/**
 * `attempt` on each endpoint of `registry` in order (a session pinned to it)
 * until one answers; `absent` says when an answer is a 404 the caller allows
 * (a probe), which falls through too and is returned when no later endpoint has it.
 */
export async function readThrough<T>(
  s: Session,
  registry: string,
  what: string,
  attempt: (pinned: Session, route: Route) => Promise<T>,
  absent?: (answer: T) => boolean,
): Promise<T> {
  const routes = s.routes(registry);
  if (routes.length === 1) return attempt(s, routes[0]!);
  const heard: string[] = [];
  const failures: BumpflowError[] = [];
  let absentAnswer: { answer: T } | undefined;
  for (const route of routes) {
    try {
      const answer = await attempt(pin(s, registry, route), route);
      if (absent === undefined || !absent(answer)) return answer;
      absentAnswer = { answer };
    } catch (err) {
      if (!(err instanceof BumpflowError) || !FALLS_THROUGH.has(err.type)) throw err;
      failures.push(err);
      heard.push(err.message);
    }
  }
  if (absentAnswer !== undefined) return absentAnswer.answer;
  const found = `expected one of the ${routes.length} endpoints of ${registry} (tried in order) to serve ${what}, found none did: ${heard.map((h, i) => `${i + 1}. ${h}`).join('; ')}`;
  const details = { registry, endpoints: routes.map(shownRoute) };
  const unavailable = failures.find((f) => f.type === TransientFailure.RegistryUnavailable);
  if (unavailable !== undefined)
    throw transient(TransientFailure.RegistryUnavailable, found, {
      details,
      cause: unavailable,
      ...(unavailable.retryAfterMs === undefined ? {} : { retryAfterMs: unavailable.retryAfterMs }),
    });
  const refused = failures.find((f) => f.type === FatalFailure.AuthRefused);
  if (refused !== undefined) throw fatal(FatalFailure.AuthRefused, found, { ...refused.details, ...details });
  throw fatal(FatalFailure.ManifestUnknown, found, { ...failures[0]?.details, ...details });
}
