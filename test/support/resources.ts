import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp directory holding the given files (name → YAML text). */
export function resourcesDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mecha-resources-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function component(name: string, type: string, metadata: Record<string, string> = {}, extra = ''): string {
  const md = Object.entries(metadata).map(([k, v]) => `    - name: ${k}\n      value: ${JSON.stringify(v)}`).join('\n');
  return `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: ${type}
  version: v1
  metadata:
${md || '    []'}
${extra}`;
}
