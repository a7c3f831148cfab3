import type { Logger } from 'pino';
import { isInputBinding, type Binding } from '../contracts/binding.js';
import type { ComponentCall } from '../resiliency/component-caller.js';
import type { BindingReceiver, FanOut } from './binding-receivers.js';
import type { ComponentHost } from './component-host.js';

/** An input binding delivering to the app, by component name (a hot reload restarts it by name). */
export interface RunningInputBinding {
  name: string;
  close(): Promise<void>;
}

/** Sends data to an output binding (operation `create`), for the fan-out a gRPC app asks for. */
export type OutputBindingSend = (name: string, data: Buffer) => Promise<void>;

/**
 * Starts the input bindings the app listens to, as daprd does: a binding whose `direction` names
 * `input` is assumed wanted; otherwise the app is asked (HTTP `OPTIONS /<route>`, gRPC ListInputBindings).
 * An event the app refuses is an error the component redelivers if it can. `only` starts that one binding.
 */
export async function startInputBindings(
  host: ComponentHost,
  receiver: BindingReceiver,
  send: OutputBindingSend,
  call: ComponentCall,
  logger: Logger,
  appUnavailable: () => string | undefined,
  only?: string,
): Promise<RunningInputBinding[]> {
  const started: RunningInputBinding[] = [];
  for (const c of host.list('bindings').filter((c) => only === undefined || c.spec.name === only)) {
    const binding = c.instance as Binding;
    if (!isInputBinding(binding)) continue;
    const name = c.spec.name;
    const route = `/${(c.spec.runtimeMetadata.route || name).replace(/^\/+/, '')}`;
    const declared = (c.spec.runtimeMetadata.direction ?? '').split(',').map((d) => d.trim().toLowerCase());
    if (c.spec.runtimeMetadata.direction && !declared.includes('input')) continue;
    if (!declared.includes('input') && !(await receiver.listens(name, route))) {
      logger.info({ binding: name, route }, 'app does not listen to the input binding; not started');
      continue;
    }
    const handle = await binding.read((event) =>
      call(name, async () => {
        const unavailable = appUnavailable();
        if (unavailable) throw new Error(unavailable);
        const answer = await receiver.deliver(name, route, event);
        if (answer.fanOut) await fanOut(answer.fanOut, send, logger.child({ binding: name }));
        return answer.data;
      }),
    );
    started.push({ name, close: () => handle.close() });
    logger.info({ binding: name, route }, 'input binding started');
  }
  return started;
}

/** daprd sends the data to each named output binding, one after another unless PARALLEL; failures are logged. */
async function fanOut(f: FanOut, send: OutputBindingSend, logger: Logger): Promise<void> {
  const one = (to: string) => send(to, f.data).catch((err: Error) => logger.error({ to, err: err.message }, 'sending to an output binding failed'));
  if (f.parallel) await Promise.all(f.to.map(one));
  else for (const to of f.to) await one(to);
}
