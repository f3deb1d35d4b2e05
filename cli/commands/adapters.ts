/** `servicebench adapters`: the export formats the normaliser reads. */
import { listAdapters } from '../../lambdas/adapters/registry.ts';
import type { CommandContext } from '../context.ts';
import { formatRows } from '../format.ts';

export function adapters(context: CommandContext): void {
  context.io.stdout.write(
    formatRows(
      listAdapters().map((a) => ({ adapter: a.name, reads: a.description })),
      'table',
    ),
  );
}
