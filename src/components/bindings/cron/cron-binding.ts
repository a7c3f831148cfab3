import { CronExpressionParser } from 'cron-parser';
import type { BindingEventHandler, InputBinding } from '../../../contracts/binding.js';
import type { ComponentContext } from '../../../contracts/component.js';
import { parseDuration } from '../../../util/duration.js';

export type CronMetadata = { schedule: string };

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

/** Next fire time after `from` for the schedule (cron, descriptor or `@every`). */
type NextFn = (from: Date) => Date;

/** Fires on a schedule with empty data and `timeZone` / `readTimeUTC` metadata, as daprd's cron binding does. */
class CronBinding implements InputBinding {
  #next?: NextFn;
  #timer?: NodeJS.Timeout;
  #closed = false;

  constructor(private readonly ctx: ComponentContext) {}

  async init(md: CronMetadata): Promise<void> {
    this.#next = parseSchedule(md.schedule.trim());
  }

  async read(handler: BindingEventHandler) {
    const schedule = () => {
      if (this.#closed) return;
      const at = this.#next!(new Date());
      this.#timer = setTimeout(() => {
        schedule();
        const metadata = { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, readTimeUTC: new Date().toISOString() };
        handler({ data: Buffer.alloc(0), metadata }).catch((err: Error) => this.ctx.logger.warn({ err: err.message }, 'cron event refused by the app'));
      }, Math.max(0, at.getTime() - Date.now()));
    };
    schedule();
    return { close: async () => this.close() };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}

function parseSchedule(schedule: string): NextFn {
  if (schedule.startsWith('@every ')) {
    const ms = parseDuration(schedule.slice(7));
    if (!ms || ms <= 0) throw new Error(`schedule: "${schedule}" needs a positive duration such as "@every 15s"`);
    return (from) => new Date(from.getTime() + ms);
  }
  const expression = DESCRIPTORS[schedule] ?? schedule;
  const fields = expression.split(/\s+/).length;
  if (fields !== 5 && fields !== 6) throw new Error(`schedule: "${schedule}" must have 5 or 6 fields, or be a descriptor such as @daily or @every 10s`);
  try {
    CronExpressionParser.parse(expression);
  } catch (err) {
    throw new Error(`schedule: "${schedule}" is not a valid cron expression (${(err as Error).message})`);
  }
  return (from) => CronExpressionParser.parse(expression, { currentDate: from }).next().toDate();
}

export function createCronBinding(ctx: ComponentContext): CronBinding {
  return new CronBinding(ctx);
}
