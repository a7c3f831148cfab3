// Compiles the schemas a start checks (the Component envelope, the Configuration) into standalone ajv
// code at build time, and swaps it into the bundle for src/config/compiled-validators.ts, which compiles
// them at run time. Compiling both costs a start about 40 ms of CPU; the generated code is bundled and
// covered by the code cache. The formats the code calls are src/config/ajv-formats.ts, bundled with it.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** The ESM source of the compiled validators, exporting compiledValidator(name) as the module it replaces does. */
async function compiledValidatorsSource(build, common, root) {
  const out = join(root, '.cache/config-schemas.mjs');
  await build({
    ...common,
    stdin: {
      contents: [
        "export { newAjv } from './src/config/ajv.ts';",
        "export { componentEnvelopeSchema } from './src/config/component-envelope.ts';",
        "export { configurationSchema } from './src/config/configuration.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile: out,
    format: 'esm',
    packages: 'external',
  });
  const { newAjv, componentEnvelopeSchema, configurationSchema } = await import(`${pathToFileURL(out).href}?${Date.now()}`);
  rmSync(out, { force: true });
  const { _ } = load('ajv');
  const ajv = newAjv({ source: true, esm: true, formats: _`formats` });
  ajv.addSchema(componentEnvelopeSchema, 'componentEnvelope');
  ajv.addSchema(configurationSchema, 'configuration');
  const standalone = load('ajv/dist/standalone').default;
  const code = standalone(ajv, { componentEnvelope: 'componentEnvelope', configuration: 'configuration' });
  const formats = JSON.stringify(join(root, 'src/config/ajv-formats.ts'));
  return `import { formats } from ${formats};\n${code}\nconst byName = { componentEnvelope, configuration };\nexport function compiledValidator(name) { return byName[name]; }\n`;
}

/** An esbuild plugin that bundles the build-time validators in place of src/config/compiled-validators.ts. */
export async function configValidatorsPlugin(build, common, root) {
  const contents = await compiledValidatorsSource(build, common, root);
  const target = join(root, 'src/config/compiled-validators.ts');
  return {
    name: 'config-validators',
    setup(b) {
      b.onLoad({ filter: /compiled-validators\.ts$/ }, (args) => (args.path === target ? { contents, loader: 'js', resolveDir: root } : undefined));
    },
  };
}
