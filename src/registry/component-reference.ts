import type { ComponentDescriptor } from '../contracts/component.js';

/**
 * The reference of every built-in component and its metadata, as Markdown, rendered from the same
 * descriptors the loader validates with (docs/components.md is this output, checked by a test).
 */
export function renderComponentReference(descriptors: readonly ComponentDescriptor[]): string {
  const sections = [...descriptors]
    .sort((a, b) => a.type.localeCompare(b.type))
    .map((d) => {
      const rows = Object.entries(d.metadata.properties).map(([name, p]) => {
        const required = d.metadata.required?.includes(name) ? 'yes' : '';
        const def = p.default === undefined ? '' : `\`${String(p.default)}\``;
        const kind = p.format === 'duration' ? 'duration' : p.enum ? p.enum.map((v) => `\`${v}\``).join(' \\| ') : p.type;
        const notes = [p.description, p.sensitive ? '**Sensitive**: never logged; prefer a `secretKeyRef`.' : ''].filter(Boolean).join(' ');
        return `| \`${name}\` | ${kind} | ${required} | ${def} | ${notes} |`;
      });
      const aliases = d.aliases?.length ? `Also accepted as: ${d.aliases.map((a) => `\`${a}\``).join(', ')}.\n\n` : '';
      const keyAliases = Object.entries(d.metadataAliases ?? {});
      const metaAliases = keyAliases.length ? `\nMetadata aliases: ${keyAliases.map(([a, t]) => `\`${a}\` → \`${t}\``).join(', ')}.\n` : '';
      const table = rows.length ? `| Name | Type | Required | Default | Description |\n|---|---|---|---|---|\n${rows.join('\n')}\n` : 'No metadata.\n';
      return `## \`${d.type}\`\n\nVersions: ${d.versions.map((v) => `\`${v}\``).join(', ')} (first is the default).\n\n${aliases}${table}${metaAliases}`;
    });
  return `# Built-in components

Generated from the component descriptors by \`mecha components\`; do not edit by hand.
Metadata names match case-insensitively; values are strings in YAML and are converted to the type shown.
Durations take Go's form (\`30s\`, \`1m30s\`, \`500ms\`) or a plain number.

${sections.join('\n')}`;
}
