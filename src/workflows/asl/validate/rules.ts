import { COMPARISON_OPERATORS, isValidWildcard } from '../choice.js';
import { INTRINSIC_FUNCTIONS } from '../intrinsics/functions.js';
import { functionNames, IntrinsicSyntaxError, looksLikeIntrinsic, parseIntrinsic } from '../intrinsics/parser.js';
import { isObject, isValidPath } from '../paths.js';
import { StatesError } from '../errors.js';
import { DEFAULT_TASK_TIMEOUT_SECONDS } from '../task.js';
import { escape } from './schema.js';
import type { AslProblem } from './index.js';

/**
 * Per-state rules a schema cannot state clearly: fields that exclude each other, Wait's one-of-four,
 * the shape of Choice rules, where States.ALL may stand, and the `.$` fields of payload templates
 * (each a path or an intrinsic call naming known functions). Each check reads only what has the
 * expected shape: the schema has already reported the rest.
 */
export function stateProblems(state: Record<string, unknown>, at: string): AslProblem[] {
  const problems: AslProblem[] = [];
  const exclusive = (a: string, b: string): void => {
    if (state[a] !== undefined && state[b] !== undefined) problems.push({ pointer: `${at}/${b}`, message: `cannot be used together with ${a}` });
  };
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector', 'Credentials']) {
    if (isObject(state[field])) problems.push(...templateProblems(state[field], `${at}/${field}`));
  }
  for (const field of ['Retry', 'Catch']) {
    if (Array.isArray(state[field])) problems.push(...statesAllProblems(state[field], `${at}/${field}`));
  }
  switch (state.Type) {
    case 'Task':
      exclusive('TimeoutSeconds', 'TimeoutSecondsPath');
      exclusive('HeartbeatSeconds', 'HeartbeatSecondsPath');
      problems.push(...heartbeatProblems(state, at));
      break;
    case 'Wait': {
      const given = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter((f) => state[f] !== undefined);
      if (given.length !== 1) {
        problems.push({ pointer: at, message: `needs exactly one of Seconds, Timestamp, SecondsPath and TimestampPath, has ${given.length === 0 ? 'none' : given.join(' and ')}` });
      }
      break;
    }
    case 'Choice':
      if (Array.isArray(state.Choices)) state.Choices.forEach((r, i) => problems.push(...ruleProblems(r, `${at}/Choices/${i}`, true)));
      break;
    case 'Map':
      if (state.ItemProcessor === undefined && state.Iterator === undefined) problems.push({ pointer: `${at}/ItemProcessor`, message: 'is required' });
      exclusive('ItemProcessor', 'Iterator');
      exclusive('ItemSelector', 'Parameters');
      exclusive('MaxConcurrency', 'MaxConcurrencyPath');
      exclusive('ToleratedFailureCount', 'ToleratedFailureCountPath');
      exclusive('ToleratedFailurePercentage', 'ToleratedFailurePercentagePath');
      break;
    case 'Fail':
      exclusive('Error', 'ErrorPath');
      exclusive('Cause', 'CausePath');
      for (const field of ['ErrorPath', 'CausePath']) {
        if (typeof state[field] === 'string') problems.push(...dynamicValueProblems(state[field], `${at}/${field}`));
      }
      break;
  }
  return problems;
}

/** Spec "Task State": the heartbeat must be shorter than the timeout, written or default (60 s). */
function heartbeatProblems(state: Record<string, unknown>, at: string): AslProblem[] {
  const timeout = state.TimeoutSeconds ?? (state.TimeoutSecondsPath === undefined ? DEFAULT_TASK_TIMEOUT_SECONDS : undefined);
  if (typeof state.HeartbeatSeconds !== 'number' || typeof timeout !== 'number' || state.HeartbeatSeconds < timeout) return [];
  const note = state.TimeoutSeconds === undefined ? ', the default' : '';
  return [{ pointer: `${at}/HeartbeatSeconds`, message: `must be smaller than TimeoutSeconds (${timeout}${note})` }];
}

/** Spec "Retrying after error", "Fallback states": States.ALL must be alone in the last Retrier/Catcher. */
function statesAllProblems(list: unknown[], at: string): AslProblem[] {
  const problems: AslProblem[] = [];
  list.forEach((entry, i) => {
    if (!isObject(entry) || !Array.isArray(entry.ErrorEquals)) return;
    const index = entry.ErrorEquals.indexOf(StatesError.ALL);
    if (index < 0) return;
    if (entry.ErrorEquals.length > 1) problems.push({ pointer: `${at}/${i}/ErrorEquals/${index}`, message: 'States.ALL must be the only error name in its ErrorEquals' });
    if (i !== list.length - 1) problems.push({ pointer: `${at}/${i}/ErrorEquals/${index}`, message: 'States.ALL may only appear in the last entry' });
  });
  return problems;
}

const OPERATORS = new Set(COMPARISON_OPERATORS);

/** A rule is And, Or, Not, or a Variable with exactly one operator; only top-level rules carry Next. */
function ruleProblems(rule: unknown, at: string, topLevel: boolean): AslProblem[] {
  if (!isObject(rule)) return [];
  const problems: AslProblem[] = [];
  const combinators = ['And', 'Or', 'Not'].filter((k) => rule[k] !== undefined);
  const operators = Object.keys(rule).filter((k) => OPERATORS.has(k));
  const kinds = [...combinators, ...operators];
  if (kinds.length !== 1) {
    problems.push({ pointer: at, message: `needs exactly one of And, Or, Not or a comparison operator, has ${kinds.length === 0 ? 'none' : kinds.join(', ')}` });
  }
  if (operators.length > 0 && rule.Variable === undefined) problems.push({ pointer: `${at}/Variable`, message: 'is required with a comparison operator' });
  if (operators.length === 0 && combinators.length > 0 && rule.Variable !== undefined) problems.push({ pointer: `${at}/Variable`, message: `has no use with ${combinators.join(', ')}` });
  if (topLevel && rule.Next === undefined) problems.push({ pointer: `${at}/Next`, message: 'is required on a top-level Choice rule' });
  if (!topLevel && rule.Next !== undefined) problems.push({ pointer: `${at}/Next`, message: 'is only allowed on a top-level Choice rule' });
  if (typeof rule.StringMatches === 'string' && !isValidWildcard(rule.StringMatches)) {
    problems.push({ pointer: `${at}/StringMatches`, message: 'may only escape "*" or "\\" with a backslash' });
  }
  for (const k of ['And', 'Or']) {
    if (Array.isArray(rule[k])) (rule[k] as unknown[]).forEach((r, i) => problems.push(...ruleProblems(r, `${at}/${k}/${i}`, false)));
  }
  if (rule.Not !== undefined) problems.push(...ruleProblems(rule.Not, `${at}/Not`, false));
  return problems;
}

/** Every `.$` field of a payload template, at any depth. */
function templateProblems(template: unknown, at: string): AslProblem[] {
  if (Array.isArray(template)) return template.flatMap((v, i) => templateProblems(v, `${at}/${i}`));
  if (!isObject(template)) return [];
  return Object.entries(template).flatMap(([key, value]) => {
    const pointer = `${at}/${escape(key)}`;
    if (!key.endsWith('.$')) return templateProblems(value, pointer);
    if (typeof value !== 'string') return [{ pointer, message: 'must be a string holding a path or an intrinsic function call' }];
    return dynamicValueProblems(value, pointer);
  });
}

/** A value read at run time: a path, or an intrinsic call that parses and names only known functions. */
function dynamicValueProblems(value: string, pointer: string): AslProblem[] {
  if (!looksLikeIntrinsic(value)) {
    return isValidPath(value) ? [] : [{ pointer, message: `is neither a valid path nor an intrinsic function call: ${JSON.stringify(value)}` }];
  }
  try {
    const unknown = functionNames(parseIntrinsic(value)).filter((n) => !INTRINSIC_FUNCTIONS.includes(n));
    return unknown.length === 0 ? [] : [{ pointer, message: `names unknown intrinsic function(s) ${unknown.join(', ')}` }];
  } catch (e) {
    if (e instanceof IntrinsicSyntaxError) return [{ pointer, message: e.message }];
    throw e;
  }
}
