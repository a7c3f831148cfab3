import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ConfigurationSpec } from '../../config/configuration.js';
import { ResourceReloader, type ReloadTargets } from './resource-reloader.js';
import { ResourceWatcher } from './resource-watcher.js';

/** daprd's rule: on unless `--disable-hot-reload` or the Configuration feature `HotReload` is `enabled: false`. */
export function hotReloadEnabled(disabledByFlag: boolean | undefined, configuration: ConfigurationSpec): boolean {
  if (disabledByFlag) return false;
  const feature = configuration.features?.find((f) => f.name === 'HotReload');
  return feature?.enabled !== false;
}

export interface HotReload {
  close(): Promise<void>;
  /** Resolves once the file events seen so far have been applied (tests). */
  settled(): Promise<void>;
}

/**
 * Watches the resources paths and applies their changes while the sidecar serves; watches the `--config`
 * files only to say that a change to them needs a restart, as in daprd.
 */
export async function startHotReload(dirs: readonly string[], configPaths: readonly string[], targets: ReloadTargets, debounceMs = 250): Promise<HotReload> {
  let reloader: ResourceReloader | undefined;
  const watcher = await ResourceWatcher.start({
    dirs,
    debounceMs,
    onDiff: (diff) => reloader!.apply(diff),
    onError: (err) => targets.logger.error({ err: err.message }, 'watching the resources paths failed'),
  });
  reloader = new ResourceReloader(targets, watcher.resources);
  for (const r of watcher.resources) targets.status.loaded(r.kind, r.name, r.doc.file);
  const configWatchers = await watchConfigurationFiles(configPaths, debounceMs, (file) =>
    targets.logger.warn({ file }, 'the Configuration file changed; restart the sidecar to apply it (Configuration is read at startup only)'),
  );
  targets.logger.info({ paths: dirs }, 'hot reload of resources enabled');
  return {
    settled: () => watcher.settled(),
    async close() {
      for (const w of configWatchers) w.close();
      await watcher.close();
    },
  };
}

/** Watches each file's folder (editors rename over files; a ConfigMap swaps `..data`) and reports real content changes. */
async function watchConfigurationFiles(files: readonly string[], debounceMs: number, changed: (file: string) => void): Promise<FSWatcher[]> {
  const watchers: FSWatcher[] = [];
  for (const file of files) {
    const read = () => readFile(file, 'utf8').catch(() => '');
    let last = await read();
    let timer: NodeJS.Timeout | undefined;
    const name = basename(file);
    try {
      const w = watch(dirname(file), { persistent: false }, (_event, entry) => {
        if (entry !== null && entry !== name && !entry.startsWith('..')) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          void read().then((text) => {
            if (text === last) return;
            last = text;
            changed(file);
          });
        }, debounceMs).unref();
      });
      w.on('error', () => undefined);
      watchers.push(w);
    } catch {
      // A folder that cannot be watched only loses the restart hint.
    }
  }
  return watchers;
}
