import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/core/state-query.js';
import { projectColumns, translateSql } from '../../src/core/state-sql.js';

const sql = (text: string) => translateSql(text, 'orders');
const refused = (text: string) => {
  try {
    translateSql(text, 'orders');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`accepted: ${text}`);
};

describe('translateSql: the subset into the query API JSON', () => {
  it('SELECT * without a WHERE is the empty query', () => {
    expect(sql('SELECT * FROM orders')).toEqual({ query: {} });
    expect(sql('select * from "orders";')).toEqual({ query: {} });
  });

  it('= on a dotted path is EQ, with string, number, boolean and NULL literals', () => {
    expect(sql("SELECT * FROM orders WHERE person.org = 'Dev Ops'").query.filter).toEqual({ EQ: { 'person.org': 'Dev Ops' } });
    expect(sql('SELECT * FROM orders WHERE qty = -2.5e1').query.filter).toEqual({ EQ: { qty: -25 } });
    expect(sql('SELECT * FROM orders WHERE paid = TRUE').query.filter).toEqual({ EQ: { paid: true } });
    expect(sql('SELECT * FROM orders WHERE paid = false').query.filter).toEqual({ EQ: { paid: false } });
    expect(sql('SELECT * FROM orders WHERE note = NULL').query.filter).toEqual({ EQ: { note: null } });
    expect(sql("SELECT * FROM orders WHERE name = 'it''s'").query.filter).toEqual({ EQ: { name: "it's" } });
  });

  it('a leading value. names the stored value itself; quoted parts may hold any other character', () => {
    expect(sql("SELECT * FROM orders WHERE value.person.org = 'a'").query.filter).toEqual({ EQ: { 'person.org': 'a' } });
    expect(sql('SELECT * FROM orders WHERE "first-name" = 1').query.filter).toEqual({ EQ: { 'first-name': 1 } });
    expect(sql('SELECT * FROM orders WHERE a."order".c = 1').query.filter).toEqual({ EQ: { 'a.order.c': 1 } });
    expect(sql('SELECT * FROM orders WHERE value.value = 1').query.filter).toEqual({ EQ: { value: 1 } });
  });

  it('IN is IN; AND and OR nest as written, AND binding tighter, parentheses first', () => {
    expect(sql("SELECT * FROM orders WHERE state IN ('CA', 'WA', 3)").query.filter).toEqual({ IN: { state: ['CA', 'WA', 3] } });
    expect(sql('SELECT * FROM orders WHERE a = 1 AND b = 2 OR c = 3').query.filter).toEqual({ OR: [{ AND: [{ EQ: { a: 1 } }, { EQ: { b: 2 } }] }, { EQ: { c: 3 } }] });
    expect(sql('SELECT * FROM orders WHERE a = 1 AND (b = 2 OR c IN (3)) AND d = 4').query.filter).toEqual({
      AND: [{ EQ: { a: 1 } }, { OR: [{ EQ: { b: 2 } }, { IN: { c: [3] } }] }, { EQ: { d: 4 } }],
    });
    expect(sql('SELECT * FROM orders WHERE ((a = 1))').query.filter).toEqual({ EQ: { a: 1 } });
  });

  it('ORDER BY, LIMIT and OFFSET are the sort and the page (the token is the offset)', () => {
    expect(sql('SELECT * FROM orders ORDER BY person.id DESC, state, qty ASC LIMIT 10 OFFSET 20').query).toEqual({
      sort: [
        { key: 'person.id', order: 'DESC' },
        { key: 'state', order: 'ASC' },
        { key: 'qty', order: 'ASC' },
      ],
      page: { limit: 10, token: '20' },
    });
    expect(sql('SELECT * FROM orders OFFSET 3').query).toEqual({ page: { token: '3' } });
  });

  it('keywords are case-insensitive, comments and line breaks are spaces', () => {
    expect(sql('select *\n  from orders -- all\n where /* x */ a = 1 order by a desc limit 1').query).toEqual({
      filter: { EQ: { a: 1 } },
      sort: [{ key: 'a', order: 'DESC' }],
      page: { limit: 1 },
    });
  });

  it('a column list is kept for projecting the results', () => {
    expect(sql('SELECT person.org, value.qty FROM orders')).toEqual({ query: {}, columns: ['person.org', 'qty'] });
  });

  it("every translation is a query the query API's own parser accepts", () => {
    const { query } = sql("SELECT * FROM orders WHERE a.b = 'x' AND (c IN (1, 2) OR d = true) ORDER BY a.b DESC LIMIT 2 OFFSET 4");
    expect(parseQuery(JSON.stringify(query), 'app||', {})).toMatchObject({ limit: 2, offset: 4, sort: [{ path: 'a.b', order: 'DESC' }] });
  });
});

describe('translateSql: what the subset refuses, named with its place', () => {
  it.each([
    ['SELECT * FROM orders WHERE qty < 3', /^not covered: the operator <, at line 1, column 32/],
    ['SELECT * FROM orders WHERE qty >= 3', /the operator >=, at line 1, column 32/],
    ['SELECT * FROM orders WHERE qty <> 3', /the operator <>/],
    ["SELECT * FROM orders WHERE name LIKE 'a%'", /^not covered: LIKE, at line 1, column 33/],
    ['SELECT * FROM orders WHERE qty BETWEEN 1 AND 2', /not covered: BETWEEN/],
    ['SELECT * FROM orders WHERE NOT a = 1', /not covered: NOT, at line 1, column 28/],
    ['SELECT * FROM orders WHERE a IS NULL', /not covered: IS \[NOT\] NULL/],
    ['SELECT * FROM orders o JOIN items i ON o.id = i.id', /not covered: table aliases, at line 1, column 22/],
    ['SELECT * FROM orders JOIN items ON a = b', /^not covered: joins, at line 1, column 22/],
    ['SELECT * FROM orders, items', /not covered: more than one table, at line 1, column 21/],
    ['SELECT count(*) FROM orders', /^not covered: functions \(count\(…\)\), at line 1, column 8/],
    ['SELECT * FROM orders WHERE lower(name) = 1', /functions \(lower\(…\)\), at line 1, column 28/],
    ['SELECT * FROM orders GROUP BY state', /^not covered: GROUP BY, at line 1, column 22/],
    ['SELECT DISTINCT state FROM orders', /^not covered: DISTINCT, at line 1, column 8/],
    ['SELECT * FROM orders WHERE id IN (SELECT id FROM orders)', /^not covered: subqueries, at line 1, column 35/],
    ['SELECT * FROM (SELECT * FROM orders)', /^not covered: subqueries, at line 1, column 15/],
    ['SELECT * FROM orders WHERE a = b', /comparing with another path or an expression \(b\), at line 1, column 32/],
    ['SELECT * FROM orders UNION SELECT * FROM orders', /not covered: UNION/],
    ['SELECT * FROM orders ORDER BY a NULLS FIRST', /NULLS FIRST\/LAST/],
    ['SELECT a AS b FROM orders', /aliases \(AS\)/],
  ])('%s', (text, message) => {
    expect(refused(text)).toMatch(message);
  });

  it('a FROM naming another store', () => {
    expect(refused('SELECT * FROM customers')).toBe('FROM names "customers" at line 1, column 15, but the request is for state store "orders": a query reads only the store of its URL');
  });

  it('syntax errors say what was expected, and where, on later lines too', () => {
    expect(refused('SELECT * FROM orders WHERE')).toBe('expected a condition: path = value, path IN (values…), or one in parentheses at line 1, column 27, got the end of the query');
    expect(refused('SELECT * FROM orders\nWHERE a = 1\n  AND b = ')).toMatch(/at line 3, column 11, got the end of the query/);
    expect(refused('SELECT * FROM orders WHERE (a = 1')).toMatch(/expected "\)" at line 1, column 34/);
    expect(refused('SELECT * FROM orders LIMIT 0')).toMatch(/LIMIT at line 1, column 28 needs a whole number of at least 1, got "0"/);
    expect(refused('SELECT * FROM orders LIMIT 1.5')).toMatch(/needs a whole number/);
    expect(refused("SELECT * FROM orders WHERE a = 'open")).toMatch(/the string opened at line 1, column 32 is not closed/);
    expect(refused('SELECT * FROM orders WHERE a = 1 #')).toMatch(/the character "#" at line 1, column 34/);
    expect(refused('DELETE FROM orders')).toMatch(/expected SELECT at line 1, column 1/);
    expect(refused('SELECT * FROM orders WHERE "a.b" = 1')).toMatch(/holds a dot/);
    expect(refused('SELECT * FROM orders WHERE select = 1')).toMatch(/not covered: subqueries|expected a condition/);
  });

  it('parentheses nest at most as deep as the query API allows, without exhausting the stack', () => {
    expect(sql(`SELECT * FROM orders WHERE ${'('.repeat(100)}a = 1${')'.repeat(100)}`).query.filter).toEqual({ EQ: { a: 1 } });
    expect(refused(`SELECT * FROM orders WHERE ${'('.repeat(5000)}a = 1${')'.repeat(5000)}`)).toMatch(/nest deeper than 100 levels/);
  });
});

describe('projectColumns', () => {
  it('answers each column by its path, leaving out the missing ones', () => {
    const data = Buffer.from(JSON.stringify({ person: { org: 'Ops', id: 3 }, qty: 2, list: [1] }));
    expect(JSON.parse(projectColumns(data, ['person.org', 'qty', 'missing', 'list.0', '__proto__']).toString())).toEqual({ 'person.org': 'Ops', qty: 2 });
  });
});
