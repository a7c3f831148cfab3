import { isValidPath } from '../paths.js';

/**
 * Parser for intrinsic function calls (spec: "Intrinsic Functions"), e.g.
 * `States.Format('Hello {}\'s', States.ArrayGetItem($.names, 0))`. Arguments are string literals
 * (single-quoted; `\'`, `\{`, `\}` and `\\` escape), numbers, true/false/null, paths and nested calls.
 */
export type IntrinsicArg =
  | { kind: 'string'; value: string; /** the literal's text between the quotes, escapes kept (States.Format reads `\{`) */ raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'literal'; value: boolean | null }
  | { kind: 'path'; path: string }
  | IntrinsicCall;

export interface IntrinsicCall {
  kind: 'call';
  name: string;
  args: IntrinsicArg[];
}

export class IntrinsicSyntaxError extends Error {
  constructor(expression: string, at: number, what: string) {
    super(`invalid intrinsic function "${expression}" at character ${at + 1}: ${what}`);
    this.name = 'IntrinsicSyntaxError';
  }
}

/** True when a `.$` value is meant as an intrinsic call rather than a path. */
export function looksLikeIntrinsic(value: string): boolean {
  return /^\s*States\./.test(value);
}

const NAME = /^States\.[A-Za-z][A-Za-z0-9]*/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;

/** Parses one intrinsic call; throws IntrinsicSyntaxError with the position of the first problem. */
export function parseIntrinsic(expression: string): IntrinsicCall {
  const p = new Parser(expression);
  p.skipSpace();
  const call = p.call();
  p.skipSpace();
  if (!p.done()) p.fail('unexpected text after the closing parenthesis');
  return call;
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  fail(what: string): never {
    throw new IntrinsicSyntaxError(this.text, this.pos, what);
  }

  skipSpace(): void {
    while (!this.done() && /\s/.test(this.text[this.pos])) this.pos++;
  }

  call(): IntrinsicCall {
    const name = NAME.exec(this.text.slice(this.pos))?.[0];
    if (name === undefined) this.fail('expected a function name such as States.Format');
    this.pos += name.length;
    this.skipSpace();
    if (this.text[this.pos] !== '(') this.fail(`expected "(" after ${name}`);
    this.pos++;
    const args: IntrinsicArg[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { kind: 'call', name, args };
    }
    for (;;) {
      this.skipSpace();
      args.push(this.arg());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ')') return { kind: 'call', name, args };
      if (c !== ',') {
        this.pos--;
        this.fail(this.done() ? `missing ")" to close ${name}` : `expected "," or ")" in the arguments of ${name}`);
      }
    }
  }

  arg(): IntrinsicArg {
    const rest = this.text.slice(this.pos);
    if (rest.startsWith("'")) return this.string();
    if (rest.startsWith('$')) return this.path();
    if (rest.startsWith('States.')) return this.call();
    const num = NUMBER.exec(rest)?.[0];
    if (num !== undefined) {
      this.pos += num.length;
      return { kind: 'number', value: Number(num) };
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (rest.startsWith(word) && !/[A-Za-z0-9_]/.test(rest[word.length] ?? '')) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    this.fail('expected a string, number, true, false, null, path or function call');
  }

  string(): IntrinsicArg {
    const start = ++this.pos;
    let value = '';
    while (!this.done()) {
      const c = this.text[this.pos];
      if (c === "'") {
        const raw = this.text.slice(start, this.pos++);
        return { kind: 'string', value, raw };
      }
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === undefined || !"'{}\\".includes(next)) this.fail('only \\\', \\{, \\} and \\\\ may be escaped in a string');
        value += next;
        this.pos += 2;
        continue;
      }
      value += c;
      this.pos++;
    }
    this.pos = start - 1;
    this.fail('unterminated string');
  }

  /** A path runs to the next top-level "," or ")": brackets and quotes inside it are skipped over. */
  path(): IntrinsicArg {
    const start = this.pos;
    let depth = 0;
    let quote: string | undefined;
    while (!this.done()) {
      const c = this.text[this.pos];
      if (quote !== undefined) {
        if (c === '\\') this.pos++;
        else if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if ((c === ']' || c === ')') && depth > 0) depth--;
      else if ((c === ',' || c === ')') && depth === 0) break;
      this.pos++;
    }
    const path = this.text.slice(start, this.pos).trim();
    if (!isValidPath(path)) {
      this.pos = start;
      this.fail(`"${path}" is not a valid path`);
    }
    return { kind: 'path', path };
  }
}

/** Every function name used in a call, nested calls included (validation checks them against the table). */
export function functionNames(call: IntrinsicCall): string[] {
  return [call.name, ...call.args.flatMap((a) => (a.kind === 'call' ? functionNames(a) : []))];
}
