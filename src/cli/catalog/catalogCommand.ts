/**
 * `bumpflow catalog --repo <url> [--path <file> …]`: starts the update of a
 * VM image catalog, of the files named, or of every catalog of etc/images/
 * (one update per scope at a time), waits until its table is
 * ready (awaiting approval, or ended: dry run, nothing new, failed), prints
 * it and how to approve. Everything typed is checked before anything starts
 * (exit 2).
 */
import type { Command } from 'commander';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CATALOG_ENDED, catalogStatusQuery, type CatalogStatus } from '../../shared/catalog.js';
import { workflowUiUrl } from '../../config.js';
import { isNoWorker } from '../kit/connect.js';
import { print, type CliContext } from '../kit/context.js';
import { startCatalog } from './catalogStart.js';
import { addCatalogOptions, catalogRequestFrom, type CatalogOptions } from './catalogRequest.js';
import { wholeNumber } from '../kit/flags.js';
import { printCatalogStatus } from './catalogActions.js';

interface CatalogCommandOptions extends CatalogOptions {
  waitSeconds: number;
  json?: boolean;
}

/** Polls the status until the table is ready; undefined when no worker made it ready in time. */
async function tableWhenReady(client: Client, id: string, ms: number): Promise<CatalogStatus | undefined> {
  const deadline = Date.now() + ms;
  const handle = client.workflow.getHandle(id);
  while (Date.now() < deadline) {
    try {
      const s = await client.withDeadline(Math.min(deadline, Date.now() + 5_000), () =>
        handle.query(catalogStatusQuery),
      );
      if (s.state === 'awaiting-approval' || CATALOG_ENDED.includes(s.state)) return s;
    } catch (err) {
      if (!isNoWorker(err) && !(err instanceof WorkflowNotFoundError)) throw err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

export function registerCatalog(program: Command, ctx: CliContext): void {
  addCatalogOptions(program.command('catalog'))
    .description(
      "update VM image catalogs (openstack-image-manager's etc/images/*.yml: every one, or those named by --path) from the distros' mirrors: table, approval, one PR",
    )
    .option(
      '--wait-seconds <s>',
      'how long to wait for the table before printing only the id',
      wholeNumber('--wait-seconds', 0, 3600),
      120,
    )
    .option('--json', 'print JSON')
    .action(async (o: CatalogCommandOptions) => {
      const waitMs = o.waitSeconds * 1000;
      const request = catalogRequestFrom(ctx, o); // checked before anything connects
      const client = await ctx.client();
      const handle = await startCatalog(client, ctx.settings, request);
      const id = handle.workflowId;
      const url = workflowUiUrl(ctx.settings, id);
      const status = await tableWhenReady(client, id, waitMs);
      if (status === undefined) {
        print(
          !!o.json,
          { workflowId: id, runId: handle.firstExecutionRunId, url },
          `started ${id}\nfollow it: bumpflow status ${id} --watch (or ${url})`,
        );
        return;
      }
      printCatalogStatus(id, status, !!o.json);
      if (!o.json) console.log(`\n${url}`);
    });
}
