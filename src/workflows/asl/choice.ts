import { AslError, StatesError } from './errors.js';
import { evaluatePath } from './paths.js';
import { isTimestamp, parseTimestamp } from './timestamps.js';
import type { ContextObject } from './context.js';
import type { ChoiceRule, ChoiceState } from './types.js';

/**
 * Choice rules (spec: "Choice State"). A comparison whose two sides have different types, or a
 * timestamp comparison on a string that is not a timestamp, is simply false. A Variable (or a `…Path`
 * operand) that matches nothing is States.Runtime, except for IsPresent, which exists to test that.
 */

type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

const KINDS: Kind[] = ['String', 'Numeric', 'Boolean', 'Timestamp'];
const RELATIONS: Relation[] = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'];
const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;

/** Every comparison operator name, `…Path` variants included (Boolean has only Equals). */
export const COMPARISON_OPERATORS: readonly string[] = [
  ...KINDS.flatMap((k) => (k === 'Boolean' ? ['Equals'] : RELATIONS).flatMap((r) => [`${k}${r}`, `${k}${r}Path`])),
  'StringMatches',
  ...TYPE_TESTS,
];

/** The Next of the first rule that matches, else Default, else States.NoChoiceMatched. */
export function evaluateChoice(state: ChoiceState, input: unknown, ctx?: ContextObject): string {
  for (const rule of state.Choices) {
    if (matchesRule(rule, input, ctx)) return rule.Next as string;
  }
  if (state.Default !== undefined) return state.Default;
  throw new AslError(StatesError.NoChoiceMatched, 'no Choice rule matched the input and the state has no Default');
}

/** Evaluates one rule (boolean combinator or comparison) against the input. */
export function matchesRule(rule: ChoiceRule, input: unknown, ctx?: ContextObject): boolean {
  if (rule.And !== undefined) return rule.And.every((r) => matchesRule(r, input, ctx));
  if (rule.Or !== undefined) return rule.Or.some((r) => matchesRule(r, input, ctx));
  if (rule.Not !== undefined) return !matchesRule(rule.Not, input, ctx);
  const operator = COMPARISON_OPERATORS.find((op) => Object.hasOwn(rule, op));
  if (operator === undefined || typeof rule.Variable !== 'string') {
    throw new AslError(StatesError.Runtime, 'a Choice rule needs a Variable and one comparison operator, or And, Or or Not');
  }
  const value = evaluatePath(rule.Variable, input, ctx);
  const operand = rule[operator];
  if (operator === 'IsPresent') return (value !== undefined) === operand;
  if (value === undefined) throw new AslError(StatesError.Runtime, `the Choice rule's Variable "${rule.Variable}" matched nothing in the input`);
  if ((TYPE_TESTS as readonly string[]).includes(operator)) return typeTest(operator, value) === operand;
  if (operator === 'StringMatches') return typeof value === 'string' && typeof operand === 'string' && wildcardMatch(operand, value);
  const expected = operator.endsWith('Path') ? pathOperand(operand, operator, input, ctx) : operand;
  return compare(operator.replace(/Path$/, ''), value, expected);
}

function pathOperand(path: unknown, operator: string, input: unknown, ctx?: ContextObject): unknown {
  const value = typeof path === 'string' ? evaluatePath(path, input, ctx) : undefined;
  if (value === undefined) throw new AslError(StatesError.Runtime, `the Choice rule's ${operator} "${String(path)}" matched nothing in the input`);
  return value;
}

function typeTest(operator: string, value: unknown): boolean {
  switch (operator) {
    case 'IsNull':
      return value === null;
    case 'IsNumeric':
      return typeof value === 'number';
    case 'IsString':
      return typeof value === 'string';
    case 'IsBoolean':
      return typeof value === 'boolean';
    default:
      return isTimestamp(value);
  }
}

/** `operator` is e.g. NumericLessThanEquals; the comparison is false unless both sides are of its kind. */
function compare(operator: string, left: unknown, right: unknown): boolean {
  const kind = KINDS.find((k) => operator.startsWith(k)) as Kind;
  const relation = operator.slice(kind.length) as Relation;
  let order: number;
  if (kind === 'String') {
    if (typeof left !== 'string' || typeof right !== 'string') return false;
    order = left < right ? -1 : left > right ? 1 : 0;
  } else if (kind === 'Numeric') {
    if (typeof left !== 'number' || typeof right !== 'number') return false;
    order = Math.sign(left - right);
  } else if (kind === 'Boolean') {
    return typeof left === 'boolean' && left === right;
  } else {
    const l = parseTimestamp(left);
    const r = parseTimestamp(right);
    if (l === undefined || r === undefined) return false;
    order = Math.sign(l - r);
  }
  switch (relation) {
    case 'Equals':
      return order === 0;
    case 'LessThan':
      return order < 0;
    case 'GreaterThan':
      return order > 0;
    case 'LessThanEquals':
      return order <= 0;
    case 'GreaterThanEquals':
      return order >= 0;
  }
}

const STAR = Symbol('star');

/**
 * StringMatches: `*` matches any run of characters; `\*` is a literal star and `\\` a backslash.
 * Matched with the greedy two-pointer method (no regex, so no backtracking blow-up on many stars).
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  const tokens: (string | typeof STAR)[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) tokens.push(pattern[++i]);
    else tokens.push(c === '*' ? STAR : c);
  }
  let t = 0;
  let v = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (v < value.length) {
    if (t < tokens.length && tokens[t] !== STAR && tokens[t] === value[v]) {
      t++;
      v++;
    } else if (t < tokens.length && tokens[t] === STAR) {
      starAt = t++;
      resumeAt = v;
    } else if (starAt >= 0) {
      t = starAt + 1;
      v = ++resumeAt;
    } else return false;
  }
  while (t < tokens.length && tokens[t] === STAR) t++;
  return t === tokens.length;
}

/** Whether a StringMatches pattern is well formed: a backslash may only escape `*` or `\`. */
export function isValidWildcard(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      if (pattern[i + 1] !== '*' && pattern[i + 1] !== '\\') return false;
      i++;
    }
  }
  return true;
}
