/**
 * The catalog update's read of a distro mirror (`checkImage`): an image's
 * newest build and its checksum, in the form its `latest_url` names
 * (src/lib/catalog/resolutionForm.ts), as update.py's handlers find them —
 *   dated-directories  the listing's newest dated build, its checksum file (Ubuntu, Debian)
 *   name-pattern       the newest name in CHECKSUM matching HEREBE…DRAGONS (CentOS)
 *   latest-file        latest_url's own line in the checksum file (AlmaLinux, Rocky)
 * and for the last two, when the checksum changed, the build date from the
 * image's Last-Modified (HEAD; the image itself is never read). Reads only.
 */
import { fatal, FatalFailure, type FatalFailureType } from '../../shared/failures.js';
import type { CatalogImageRef, FoundBuild } from '../../shared/catalog.js';
import { checksumValue, type ChecksumAlgorithm } from '../../lib/catalog/checksums.js';
import {
  checksumOfFile,
  latestFileChecksum,
  newestMatching,
  resolutionForm,
  versionFromLastModified,
} from '../../lib/catalog/resolutionForm.js';
import { latestDatedBuild, type DatedVersion } from '../../lib/catalog/versionFromUrl.js';
import type { HttpFetch } from '../../clients/httpFetch.js';

export function imageChecker(http: HttpFetch) {
  /** The body of `url`, or `failure` naming what was expected there. */
  async function read(
    url: string,
    what: 'directory listing' | 'checksum file',
    failure: FatalFailureType,
    at: string,
  ): Promise<string> {
    const answer = await http.getText(url, `the ${what} of ${at}`);
    if (answer.status !== 200)
      throw fatal(failure, `${at}: expected a ${what} at ${url}; found HTTP ${answer.status}`);
    return answer.text;
  }

  /** The build date update.py records for an undated image: its Last-Modified day. */
  async function lastModified(url: string, at: string): Promise<DatedVersion> {
    const answer = await http.head(url, `the image of ${at}`);
    if (answer.status === 404 || answer.status === 410)
      throw fatal(
        FatalFailure.ImageNotFound,
        `${at}: expected the image its checksum file names at ${url}; found HTTP ${answer.status}`,
      );
    const dated = answer.status === 200 ? versionFromLastModified(answer.lastModified) : undefined;
    if (dated !== undefined) return dated;
    const found =
      answer.status !== 200
        ? `HTTP ${answer.status}`
        : answer.lastModified === undefined
          ? 'no Last-Modified'
          : `Last-Modified ${JSON.stringify(answer.lastModified)}`;
    throw fatal(
      FatalFailure.NoDatedBuild,
      `${at}: expected ${url} to answer 200 with a Last-Modified date (e.g. "Thu, 15 Jan 2026 02:26:00 GMT"), ` +
        `its build date; found ${found}`,
    );
  }

  async function fromListing(image: CatalogImageRef, listingUrl: string, at: string): Promise<FoundBuild> {
    const listing = await read(listingUrl, 'directory listing', FatalFailure.NoDatedBuild, at);
    const build = latestDatedBuild(image, listing);
    if (build === undefined)
      throw fatal(
        FatalFailure.NoDatedBuild,
        `${at}: expected dated build directories (YYYYMMDD/, release-YYYYMMDD/, YYYYMMDD-N/) in ${listingUrl}; found none`,
      );
    const sums = await read(build.checksumUrl, 'checksum file', FatalFailure.ChecksumNotFound, at);
    const entry = checksumOfFile(sums, build.fileName, {
      source: `${at}: ${build.checksumUrl}`,
      checksumUrl: build.checksumUrl,
      algorithm: image.current.checksum.split(':')[0] as ChecksumAlgorithm,
    });
    const { version, buildDate, url, checksumUrl } = build;
    return { version, buildDate, checksum: checksumValue(entry), url, checksumUrl };
  }

  return async function checkImage(input: { image: CatalogImageRef }): Promise<FoundBuild> {
    const { image } = input;
    const at = `${image.file === undefined ? '' : `${image.file}: `}${image.name} (line ${image.line})`;
    const form = resolutionForm(image, at);
    if (form.kind === 'dated-directories') return fromListing(image, form.listingUrl, at);

    const checksumUrl = image.latestChecksumUrl;
    const sums = await read(checksumUrl, 'checksum file', FatalFailure.ChecksumNotFound, at);
    const options = {
      source: `${at}: ${checksumUrl}`,
      checksumUrl,
      algorithm: image.current.checksum.split(':')[0] as ChecksumAlgorithm,
    };
    const found =
      form.kind === 'name-pattern'
        ? newestMatching(sums, form, options)
        : { url: image.latestUrl, entry: latestFileChecksum(sums, form, options) };
    const checksum = checksumValue(found.entry);
    const { current } = image;
    // unchanged: nothing more to read (update.py stops here too)
    const dated =
      checksum === current.checksum && current.buildDate !== undefined
        ? { version: current.version, buildDate: current.buildDate }
        : await lastModified(found.url, at);
    return { ...dated, checksum, url: found.url, checksumUrl };
  };
}
