// Compiles the AsyncAPI and OpenAPI meta-schemas Contract documents are checked against into standalone
// ajv validators (dist/bundle/contract-meta/<kind>.cjs). Compiling the AsyncAPI 3.0 meta-schema takes a
// second or more; loading its compiled code takes about a tenth of that, so a sidecar with a Contract
// starts faster. src/api-contracts/schema-validators.ts compiles them itself when these files are absent.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const load = createRequire(import.meta.url);
const MODULES = { 'draft-04': 'ajv-draft-04', 'draft-07': 'ajv', '2020-12': 'ajv/dist/2020' };

/** The meta-schema a kind of document is checked against, with the rewrites meta-schemas.json asks for. */
function metaSchemaText(entry) {
  const text = JSON.stringify(load(entry.file));
  return entry.replace ? text.replaceAll(entry.replace[0], entry.replace[1]) : text;
}

export function writeContractMetaValidators(outDir) {
  const list = JSON.parse(readFileSync(new URL('../src/api-contracts/meta-schemas.json', import.meta.url), 'utf8'));
  const standalone = load('ajv/dist/standalone').default;
  mkdirSync(outDir, { recursive: true });
  for (const [kind, entry] of Object.entries(list)) {
    const Ajv = load(MODULES[entry.dialect]).default;
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, logger: false, code: { source: true, optimize: false } });
    load('ajv-formats').default(ajv);
    writeFileSync(join(outDir, `${kind}.cjs`), standalone(ajv, ajv.compile(JSON.parse(metaSchemaText(entry)))));
  }
}
