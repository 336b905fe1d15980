/**
 * The words after `--` of `bumpflow schedule create NAME --every … -- <command> …`,
 * parsed by that command's own options (sweepRequest.ts, catalogRequest.ts), so a
 * schedule runs exactly what the command would; a bad word is exit 2, naming it.
 */
import { Command, type OptionValues } from 'commander';
import { usage } from '../kit/exitCodes.js';
import { refusal } from '../kit/flags.js';

export const SCHEDULABLE = '"-- sweep --target atmosphere" or "-- catalog --repo <url> [--path <file>]"';

/** The options `words` give `command` (its options added by `addOptions`), or exit 2. */
export function optionsOfWords<T extends OptionValues>(
  command: string,
  addOptions: (cmd: Command) => Command,
  words: readonly string[],
): T {
  if (words[0] !== command)
    throw usage(
      `<command>: expected the command to schedule after --, such as ${SCHEDULABLE}, found ${JSON.stringify(words.join(' ') || 'nothing')}`,
    );
  const cmd = addOptions(new Command(command))
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .allowExcessArguments(false);
  try {
    cmd.parse([...words.slice(1)], { from: 'user' });
  } catch (err) {
    const found = err instanceof Error ? err.message.replace(/^error: /, '') : String(err);
    throw refusal('<command>', new Error(`expected ${command} options after --, found ${found}`));
  }
  return cmd.opts<T>();
}
