import { MAX_FILTER_NESTING } from './state-query.js';
import { positionOf, SqlError, tokenize, type Token } from './state-sql-lexer.js';

/**
 * Reads a SELECT over one state store into daprd's query JSON (filter, sort, page), so it runs exactly
 * like the query API. The subset is the query language's own: `=`, `IN`, `AND`, `OR`, parentheses,
 * `ORDER BY`, `LIMIT`, `OFFSET`. Anything else is refused with what it is and where.
 *
 *   SELECT * | path [, path…] FROM <store> [WHERE cond] [ORDER BY path [ASC|DESC], …] [LIMIT n] [OFFSET n]
 *
 * A path is a dotted path into the stored JSON value (`person.org`, as the query API's keys); it may
 * start with `value.` to read like a table of (key, value) rows: `value.person.org` is the same path.
 * Written by hand: the subset is a dozen keywords, and SQL parser libraries read far more than this
 * only to refuse it, without saying where.
 */

export type SqlScalar = string | number | boolean | null;

/** daprd's query JSON, ready for the query API's parser. */
export interface DaprQueryJson {
  filter?: Record<string, unknown>;
  sort?: Array<{ key: string; order: 'ASC' | 'DESC' }>;
  page?: { limit?: number; token?: string };
}

export interface TranslatedSql {
  query: DaprQueryJson;
  /** The paths of a column list; undefined for `SELECT *`. */
  columns?: string[];
}

/** Words of SQL the subset does not read, named when met (anything else is "unexpected"). */
const NOT_COVERED: Record<string, string> = {
  JOIN: 'joins', INNER: 'joins', LEFT: 'joins', RIGHT: 'joins', FULL: 'joins', CROSS: 'joins', NATURAL: 'joins',
  GROUP: 'GROUP BY', HAVING: 'HAVING', UNION: 'UNION', INTERSECT: 'INTERSECT', EXCEPT: 'EXCEPT',
  DISTINCT: 'DISTINCT', NOT: 'NOT', LIKE: 'LIKE', ILIKE: 'ILIKE', BETWEEN: 'BETWEEN', IS: 'IS [NOT] NULL',
  EXISTS: 'EXISTS', AS: 'aliases (AS)', CASE: 'CASE', WITH: 'WITH', FETCH: 'FETCH', INTO: 'SELECT INTO',
  WINDOW: 'WINDOW', OVER: 'window functions',
};
const OPERATORS = new Set(['<', '>', '<=', '>=', '<>', '!=', '||', '+', '-', '/', '%', '::', '&', '|', '^', '~', '!']);
const MAX_PATH = 256;

export function translateSql(sql: string, storeName: string): TranslatedSql {
  return new SqlParser(sql, storeName).select();
}

export { SqlError };

/** A column list's answer: `{"<path>": value, …}` per result, paths missing from the value left out. */
export function projectColumns(data: Buffer, columns: readonly string[]): Buffer {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return data; // not JSON (bytes saved over gRPC): queries never match those, kept as they are
  }
  const out: Record<string, unknown> = Object.create(null); // a column may be named __proto__
  for (const column of columns) {
    let v: unknown = value;
    for (const part of column.split('.')) v = typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, part) ? (v as Record<string, unknown>)[part] : undefined;
    if (v !== undefined) out[column] = v;
  }
  return Buffer.from(JSON.stringify(out));
}

class SqlParser {
  readonly #tokens: Token[];
  #at = 0;

  constructor(
    private readonly sql: string,
    private readonly storeName: string,
  ) {
    this.#tokens = tokenize(sql);
  }

  select(): TranslatedSql {
    this.#keyword('SELECT');
    const columns = this.#columns();
    this.#keyword('FROM');
    this.#from();
    const query: DaprQueryJson = {};
    if (this.#accept('WHERE')) query.filter = this.#or(0);
    if (this.#accept('ORDER')) {
      this.#keyword('BY');
      query.sort = [];
      do query.sort.push(this.#sortKey());
      while (this.#acceptSymbol(','));
    }
    const page: { limit?: number; token?: string } = {};
    if (this.#accept('LIMIT')) page.limit = this.#count('LIMIT', 1);
    if (this.#accept('OFFSET')) page.token = String(this.#count('OFFSET', 0));
    if (page.limit !== undefined || page.token !== undefined) query.page = page;
    this.#acceptSymbol(';');
    if (this.#peek().kind !== 'end') throw this.#unexpected('the end of the query');
    return { query, ...(columns ? { columns } : {}) };
  }

  #columns(): string[] | undefined {
    if (this.#acceptSymbol('*')) return undefined;
    const columns: string[] = [];
    do columns.push(this.#path('a column (a dotted path into the value) or *'));
    while (this.#acceptSymbol(','));
    return columns;
  }

  #from(): void {
    const t = this.#peek();
    if (t.kind === 'symbol' && t.text === '(') throw this.#refuse('subqueries', t);
    if (t.kind !== 'word' && t.kind !== 'quoted') throw this.#unexpected('the state store name');
    this.#at++;
    if (t.text !== this.storeName) {
      throw new SqlError(`FROM names "${t.text}" at ${positionOf(this.sql, t.offset)}, but the request is for state store "${this.storeName}": a query reads only the store of its URL`, t.offset);
    }
    const next = this.#peek();
    if (next.kind === 'symbol' && (next.text === ',' || next.text === '.')) throw this.#refuse(next.text === ',' ? 'more than one table' : 'qualified table names', next);
    if (next.kind === 'word' && !this.#isKeyword(next, 'WHERE', 'ORDER', 'LIMIT', 'OFFSET') && !(next.text.toUpperCase() in NOT_COVERED)) throw this.#refuse('table aliases', next);
  }

  /** cond OR cond …: one OR of every branch, daprd needs at least two. */
  #or(depth: number): Record<string, unknown> {
    const branches = [this.#and(depth)];
    while (this.#accept('OR')) branches.push(this.#and(depth));
    return branches.length === 1 ? branches[0] : { OR: branches };
  }

  #and(depth: number): Record<string, unknown> {
    const branches = [this.#condition(depth)];
    while (this.#accept('AND')) branches.push(this.#condition(depth));
    return branches.length === 1 ? branches[0] : { AND: branches };
  }

  #condition(depth: number): Record<string, unknown> {
    const open = this.#peek();
    if (this.#acceptSymbol('(')) {
      if (depth >= MAX_FILTER_NESTING) throw new SqlError(`parentheses at ${positionOf(this.sql, open.offset)} nest deeper than ${MAX_FILTER_NESTING} levels`, open.offset);
      if (this.#isKeyword(this.#peek(), 'SELECT')) throw this.#refuse('subqueries', this.#peek());
      const inner = this.#or(depth + 1);
      this.#symbol(')');
      return inner;
    }
    const path = this.#path('a condition: path = value, path IN (values…), or one in parentheses');
    const op = this.#peek();
    if (this.#acceptSymbol('=')) return { EQ: { [path]: this.#literal() } };
    if (this.#accept('IN')) {
      this.#symbol('(');
      if (this.#isKeyword(this.#peek(), 'SELECT')) throw this.#refuse('subqueries', this.#peek());
      const values: SqlScalar[] = [];
      do values.push(this.#literal());
      while (this.#acceptSymbol(','));
      this.#symbol(')');
      return { IN: { [path]: values } };
    }
    if (op.kind === 'symbol' && OPERATORS.has(op.text)) throw this.#refuse(`the operator ${op.text}`, op, 'a condition compares with = or IN');
    throw this.#unexpected('= or IN');
  }

  #sortKey(): { key: string; order: 'ASC' | 'DESC' } {
    const key = this.#path('a path to sort by');
    if (this.#accept('DESC')) return { key, order: 'DESC' };
    this.#accept('ASC');
    const t = this.#peek();
    if (this.#isKeyword(t, 'NULLS')) throw this.#refuse('NULLS FIRST/LAST', t);
    return { key, order: 'ASC' };
  }

  /** A dotted path, each part a word or a "quoted identifier"; a leading `value.` is the value itself. */
  #path(expected: string): string {
    const first = this.#peek();
    const parts = [this.#pathPart(expected)];
    while (this.#acceptSymbol('.')) parts.push(this.#pathPart('a field name after "."'));
    if (parts.length > 1 && first.kind === 'word' && first.text.toLowerCase() === 'value') parts.shift();
    const next = this.#peek();
    if (next.kind === 'symbol' && next.text === '(') throw this.#refuse(`functions (${parts.join('.')}(…))`, first);
    const path = parts.join('.');
    if (path.length > MAX_PATH) throw new SqlError(`the path at ${positionOf(this.sql, first.offset)} is longer than ${MAX_PATH} characters`, first.offset);
    return path;
  }

  #pathPart(expected: string): string {
    const t = this.#peek();
    if (t.kind === 'quoted') {
      if (t.text === '' || /[."\\\s]/.test(t.text)) throw new SqlError(`the field name "${t.text}" at ${positionOf(this.sql, t.offset)} is empty or holds a dot, a quote or a space, which a path cannot name`, t.offset);
      this.#at++;
      return t.text;
    }
    if (t.kind === 'word' && !this.#reserved(t)) {
      this.#at++;
      return t.text;
    }
    throw this.#unexpected(expected);
  }

  #literal(): SqlScalar {
    const t = this.#peek();
    if (t.kind === 'string') return (this.#at++, t.text);
    if (t.kind === 'number') {
      const n = Number(t.text);
      if (!Number.isFinite(n)) throw new SqlError(`the number ${t.text} at ${positionOf(this.sql, t.offset)} is out of range`, t.offset);
      return (this.#at++, n);
    }
    if (t.kind === 'word') {
      const word = t.text.toUpperCase();
      if (word === 'TRUE' || word === 'FALSE') return (this.#at++, word === 'TRUE');
      if (word === 'NULL') return (this.#at++, null);
      if (word === 'SELECT') throw this.#refuse('subqueries', t);
      throw this.#refuse(`comparing with another path or an expression (${t.text})`, t, "a value is a 'string', a number, TRUE, FALSE or NULL");
    }
    if (t.kind === 'symbol' && t.text === '(') throw this.#refuse('subqueries and expressions in parentheses', t);
    throw this.#unexpected("a value: a 'string', a number, TRUE, FALSE or NULL");
  }

  #count(clause: string, min: number): number {
    const t = this.#peek();
    if (t.kind !== 'number' || !/^\d{1,15}$/.test(t.text) || Number(t.text) < min) {
      throw new SqlError(`${clause} at ${positionOf(this.sql, t.offset)} needs a whole number${min > 0 ? ` of at least ${min}` : ''}, got ${describe(t)}`, t.offset);
    }
    this.#at++;
    return Number(t.text);
  }

  #peek(): Token {
    return this.#tokens[this.#at];
  }

  #isKeyword(t: Token, ...words: string[]): boolean {
    return t.kind === 'word' && words.includes(t.text.toUpperCase());
  }

  #reserved(t: Token): boolean {
    return this.#isKeyword(t, 'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'IN', 'ORDER', 'BY', 'ASC', 'DESC', 'LIMIT', 'OFFSET', 'TRUE', 'FALSE', 'NULL') || t.text.toUpperCase() in NOT_COVERED;
  }

  #accept(word: string): boolean {
    if (!this.#isKeyword(this.#peek(), word)) return false;
    this.#at++;
    return true;
  }

  #keyword(word: string): void {
    if (!this.#accept(word)) throw this.#unexpected(word);
  }

  #acceptSymbol(symbol: string): boolean {
    const t = this.#peek();
    if (t.kind !== 'symbol' || t.text !== symbol) return false;
    this.#at++;
    return true;
  }

  #symbol(symbol: string): void {
    if (!this.#acceptSymbol(symbol)) throw this.#unexpected(`"${symbol}"`);
  }

  /** Names the construct when the subset knows it is SQL it does not cover, else what was expected. */
  #unexpected(expected: string): SqlError {
    const t = this.#peek();
    const construct = t.kind === 'word' ? NOT_COVERED[t.text.toUpperCase()] : undefined;
    if (construct) return this.#refuse(construct, t);
    return new SqlError(`expected ${expected} at ${positionOf(this.sql, t.offset)}, got ${describe(t)}`, t.offset);
  }

  #refuse(what: string, t: Token, hint = 'the subset reads SELECT … FROM <store> [WHERE =, IN, AND, OR, ( )] [ORDER BY] [LIMIT] [OFFSET]'): SqlError {
    return new SqlError(`not covered: ${what}, at ${positionOf(this.sql, t.offset)} (${hint})`, t.offset);
  }
}

function describe(t: Token): string {
  if (t.kind === 'end') return t.text;
  if (t.kind === 'string') return `the string '${t.text}'`;
  if (t.kind === 'quoted') return `"${t.text}"`;
  return `"${t.text}"`;
}
