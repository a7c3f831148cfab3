import { readFileSync } from 'node:fs';

/**
 * The fenced blocks of a Markdown file, with the marker that may precede each: an HTML comment
 * `<!-- example: … -->` on the last non-blank line before the fence, invisible on GitHub. Markers:
 *   skip=<reason>   not run (an output sample, a template, needs a cluster…); the reason is required
 *   needs=npm-start the block runs while `npm start` does
 *   file=<name>     a code block saved under that name in the working directory (later blocks run it)
 *   exit=<n>        a shell block whose command is expected to exit with n (it runs in the foreground)
 *   output          the text the previous block printed (its last command's stdout and stderr)
 */
export interface DocBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  marker: BlockMarker;
}

export interface BlockMarker {
  skip?: string;
  needs?: 'npm-start';
  file?: string;
  exit?: number;
  output?: boolean;
}

const MARKER = /^<!--\s*example:\s*(.*?)\s*-->$/;
const FENCE = /^( *)(`{3,}|~{3,})\s*([\w+-]*)/;

export function readDocBlocks(path: string): DocBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const close = lines.findIndex((l, j) => j > i && l.trim().startsWith(fence) && l.trim().replace(/[`~]/g, '') === '');
    if (close === -1) throw new Error(`${path}:${i + 1}: unclosed code fence`);
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = before >= 0 ? MARKER.exec(lines[before].trim()) : null;
    // A fence inside a list item is indented; its lines are, by as much.
    const text = lines.slice(i + 1, close).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
    blocks.push({ line: i + 1, lang: lang.toLowerCase(), text: text.join('\n'), marker: parseMarker(marker?.[1], `${path}:${before + 1}`) });
    i = close;
  }
  return blocks;
}

function parseMarker(text: string | undefined, where: string): BlockMarker {
  if (text === undefined) return {};
  if (text.startsWith('skip')) {
    const reason = text.replace(/^skip\s*=?\s*/, '');
    if (!reason) throw new Error(`${where}: a skipped example needs a reason (skip=<why>)`);
    return { skip: reason };
  }
  const marker: BlockMarker = {};
  for (const token of text.split(/\s+/)) {
    const [key, value] = token.split('=', 2);
    if (key === 'needs' && value === 'npm-start') marker.needs = value;
    else if (key === 'file' && value) marker.file = value;
    else if (key === 'exit' && /^\d+$/.test(value ?? '')) marker.exit = Number(value);
    else if (key === 'output' && value === undefined) marker.output = true;
    else throw new Error(`${where}: unknown example marker "${token}"`);
  }
  return marker;
}

/** One command of a shell block, with what its stdout must be (`cmd  # → expected`). */
export interface ShellCommand {
  text: string;
  expect?: string;
}

export interface ShellScript {
  commands: ShellCommand[];
  /** Standalone `# → line` comments: lines the long-running commands must print. */
  printed: string[];
}

const ARROW = /(?:^|\s)#\s*→\s?(.*)$/;

/** Splits a shell block into commands (joining `\` continuations) and their `# → …` expectations. */
export function parseShell(text: string): ShellScript {
  const script: ShellScript = { commands: [], printed: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1).trimEnd()} ${lines[++i].trim()}`;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const arrow = ARROW.exec(trimmed);
    if (trimmed.startsWith('#')) {
      if (arrow) script.printed.push(arrow[1].trim());
      continue;
    }
    script.commands.push(arrow ? { text: trimmed.slice(0, arrow.index).trim(), expect: arrow[1].trim() } : { text: trimmed });
  }
  return script;
}

/** An expectation as a pattern: `…` stands for any non-empty text, everything else is literal. */
export function expectationPattern(expected: string): RegExp {
  return new RegExp(`^${expected.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')}$`, 's');
}

/** Log timestamps (`[13:30:51.894]`) differ from run to run; everything else must match. */
export function normaliseOutput(text: string): string {
  return text
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/^\[\d\d:\d\d:\d\d\.\d{3}\]/gm, '[time]')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}
