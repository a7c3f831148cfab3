/**
 * The tokens of the SQL the state SQL API reads (core/state-sql.ts). Each token keeps its offset, so
 * an error can say where it is. Everything outside the subset still becomes a token (`<`, `LIKE`,
 * `count(`…): the parser names it as not covered rather than failing on an unknown character.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'symbol' | 'end';

export interface Token {
  kind: TokenKind;
  /** The word as written (case kept), the unquoted identifier or string, the number or symbol text. */
  text: string;
  offset: number;
}

/** SQL the subset cannot read; `offset` is where, in the query text. */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** "line 1, column 23" for an offset into the text (1-based, as editors count). */
export function positionOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** Operators tried longest first, so `<=` is one token. */
const SYMBOLS = ['<>', '<=', '>=', '!=', '||', '::', '*', ',', '.', '(', ')', '=', ';', '<', '>', '+', '-', '/', '%', '[', ']', '?', ':', '@', '|', '&', '^', '~', '!'];
const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;
const NUMBER = /-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/y;
const SPACE = /(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)+/y;

/** Splits SQL text into tokens, ending with an `end` token. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const match = (re: RegExp) => {
    re.lastIndex = at;
    return re.exec(text)?.[0];
  };
  while (at < text.length) {
    const space = match(SPACE);
    if (space) {
      at += space.length;
      continue;
    }
    const c = text[at];
    if (c === "'" || c === '"') {
      const { end, ...token } = quoted(text, at, c);
      tokens.push(token);
      at = end;
      continue;
    }
    // A minus sign starts a number only where a value may stand (after `=`, `(`, `,` or IN's list).
    const previous = tokens[tokens.length - 1];
    const signAllowed = c !== '-' || (previous !== undefined && previous.kind === 'symbol' && ['=', '(', ','].includes(previous.text));
    const number = signAllowed ? match(NUMBER) : undefined;
    if (number) {
      tokens.push({ kind: 'number', text: number, offset: at });
      at += number.length;
      continue;
    }
    const word = match(WORD);
    if (word) {
      tokens.push({ kind: 'word', text: word, offset: at });
      at += word.length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, at));
    if (!symbol) throw new SqlError(`the character ${JSON.stringify(c)} at ${positionOf(text, at)} is not SQL the subset reads`, at);
    tokens.push({ kind: 'symbol', text: symbol, offset: at });
    at += symbol.length;
  }
  tokens.push({ kind: 'end', text: 'the end of the query', offset: text.length });
  return tokens;
}

/** A 'string' or a "quoted identifier"; a doubled quote inside stands for one. */
function quoted(text: string, start: number, quote: string): Token & { end: number } {
  let value = '';
  let at = start + 1;
  for (;;) {
    const next = text.indexOf(quote, at);
    if (next === -1) throw new SqlError(`the ${quote === "'" ? 'string' : 'quoted identifier'} opened at ${positionOf(text, start)} is not closed`, start);
    value += text.slice(at, next);
    if (text[next + 1] !== quote) return { kind: quote === "'" ? 'string' : 'quoted', text: value, offset: start, end: next + 1 };
    value += quote;
    at = next + 2;
  }
}
