import type { HttpFamily } from '../types.js';
import { invokeFamilies } from './invoke.js';
import { messagingFamilies } from './messaging.js';
import { runtimeFamilies } from './runtime.js';
import { stateFamilies } from './state.js';
import { storeFamilies } from './stores.js';

/** The HTTP corpus, family by family, in the order it runs (state a family leaves is seen by the next). */
export function httpFamilies(): HttpFamily[] {
  const families = [...stateFamilies(), ...messagingFamilies(), ...invokeFamilies(), ...storeFamilies(), ...runtimeFamilies()];
  for (const f of families) {
    const ids = new Set<string>();
    for (const c of f.cases) {
      if (ids.has(c.id)) throw new Error(`duplicate case id ${f.name}/${c.id}`);
      ids.add(c.id);
    }
  }
  return families;
}
