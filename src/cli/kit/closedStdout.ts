/**
 * `bumpflow --help | head`: the reader goes away before everything is
 * written, and the next write to the pipe fails with EPIPE. Node reports that
 * as an 'error' event on process.stdout which, unhandled, ends the process
 * with a stack trace. Nobody is left to read the rest: the CLI ends quietly,
 * status 0, as a command whose output was cut short by its reader should.
 */

const guarded = new WeakSet<NodeJS.WritableStream>();

/** Once per stream: EPIPE ends the process quietly (`exit(0)`); any other error stays an error. */
export function exitQuietlyWhenStdoutCloses(
  stream: NodeJS.WritableStream = process.stdout,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return exit(0);
    throw err;
  });
}
