/**
 * The config file's `registry.mirrors`: per registry host, a mirror URL (the
 * old form), or its endpoints in order, each a URL or `{url, prefix}` (the
 * name there is `<prefix>/<repository>`). Checked as BUMPFLOW_REGISTRY_MIRRORS
 * is (clients/registry/mirrorSettings.ts), which the worker is given
 * (mirrorsSetting). Pure.
 */
import { z } from 'zod';
import { checkedString } from './shared/bump.js';
import { httpUrlProblem } from './lib/kit/httpUrl.js';
import { registryHost } from './configValues.js';
import { mirrorPrefixProblem, mirrorUrlShapeProblem } from './clients/registry/mirrorSettings.js';

const mirrorUrl = checkedString(
  (v) =>
    httpUrlProblem(v, {
      what: 'a registry mirror URL',
      credentialsGo:
        "the mirror's user and password belong in credentials.registries (the variables holding them)",
    }) ?? mirrorUrlShapeProblem(v),
);

const ENDPOINT = 'a URL or {url, prefix}';

/**
 * A URL (a string), or `other` (anything else), each checked by its own
 * schema so that an issue keeps its key path (a union would say only that
 * neither form fits); `expected` says both forms when the value is neither.
 */
function urlOr<T extends z.ZodType>(other: T, isOther: (v: unknown) => boolean, expected: string) {
  return z.unknown().transform((value, ctx): string | z.output<T> => {
    const schema = typeof value === 'string' ? mirrorUrl : isOther(value) ? other : undefined;
    if (schema === undefined) {
      ctx.addIssue({ code: 'custom', message: expected });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as string | z.output<T>;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  });
}

const isMapping = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

const mirrorEndpoint = urlOr(
  z.strictObject({
    url: z.string({ message: 'expected the endpoint URL (url: https://…)' }).pipe(mirrorUrl),
    prefix: checkedString(mirrorPrefixProblem).optional(),
  }),
  isMapping,
  `expected an endpoint: ${ENDPOINT}`,
);

const mirrorEndpoints = z
  .array(mirrorEndpoint)
  .min(1, { message: `expected at least one endpoint (${ENDPOINT})` })
  .superRefine((list, ctx) => {
    const keys = list.map((e) => (typeof e === 'string' ? `${e}|` : `${e.url}|${e.prefix ?? ''}`));
    keys.forEach((key, i) => {
      if (keys.indexOf(key) !== i)
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `expected each endpoint of a host once, found the one of item ${keys.indexOf(key)} again`,
        });
    });
  });

export const registryMirrors = z
  .record(
    registryHost,
    urlOr(
      mirrorEndpoints,
      Array.isArray,
      `expected a mirror URL, or a list of endpoints in order (each ${ENDPOINT})`,
    ),
  )
  .default({});
