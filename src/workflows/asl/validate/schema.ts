import { Ajv, type ErrorObject } from 'ajv';
import { isReferencePath, isValidPath } from '../paths.js';
import { isTimestamp } from '../timestamps.js';

/**
 * The JSON Schema of a state machine (spec: "Structure of a State Machine" and each "… State" section):
 * fields, their types and ranges, and path syntax through formats. What a schema says badly (names
 * that must exist, exactly-one-of rules, reachability, the contents of `.$` fields) is in graph.ts
 * and rules.ts. Its own ajv: the shared one coerces types and fills defaults, which would hide
 * `"BackoffRate": "2"` and change the definition it checks.
 */
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true, code: { optimize: false } });
ajv.addFormat('asl-path', { type: 'string', validate: (s: string) => isValidPath(s) });
ajv.addFormat('asl-result-path', { type: 'string', validate: (s: string) => isReferencePath(s) });
ajv.addFormat('asl-reference-path', { type: 'string', validate: (s: string) => isReferencePath(s, { allowContext: true }) });
ajv.addFormat('asl-timestamp', { type: 'string', validate: (s: string) => isTimestamp(s) });

const path = { type: ['string', 'null'], format: 'asl-path' };
const resultPath = { type: ['string', 'null'], format: 'asl-result-path' };
const referencePath = { type: 'string', format: 'asl-reference-path' };
const template = { type: 'object' };
const positiveInt = { type: 'integer', minimum: 1 };
const nonNegativeInt = { type: 'integer', minimum: 0 };

const common = { Type: {}, Comment: { type: 'string' } };
const transition = { Next: { type: 'string', minLength: 1 }, End: { type: 'boolean' } };
const io = { InputPath: path, OutputPath: path };
const results = { ResultPath: resultPath, ResultSelector: template };
const errors = {
  Retry: { type: 'array', items: { $ref: '#/$defs/retrier' } },
  Catch: { type: 'array', items: { $ref: '#/$defs/catcher' } },
};

function stateSchema(type: string, properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return {
    type: 'object',
    properties: { ...common, ...properties, Type: { const: type } },
    required: ['Type', ...required],
    additionalProperties: false,
  };
}

function machineSchema(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      Comment: { type: 'string' },
      StartAt: { type: 'string', minLength: 1 },
      States: { type: 'object', minProperties: 1, propertyNames: { minLength: 1, maxLength: 80 }, additionalProperties: { $ref: '#/$defs/state' } },
      Version: { type: 'string' },
      TimeoutSeconds: positiveInt,
      QueryLanguage: { const: 'JSONPath' },
      ...extra,
    },
    required: ['StartAt', 'States'],
    additionalProperties: false,
  };
}

/** Choice rule operators and the JSON type of their operand. */
function operatorSchemas(): Record<string, unknown> {
  const ops: Record<string, unknown> = { StringMatches: { type: 'string' } };
  const relations = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'];
  for (const r of relations) {
    ops[`String${r}`] = { type: 'string' };
    ops[`Numeric${r}`] = { type: 'number' };
    ops[`Timestamp${r}`] = { type: 'string', format: 'asl-timestamp' };
    for (const kind of ['String', 'Numeric', 'Timestamp']) ops[`${kind}${r}Path`] = referencePath;
  }
  ops.BooleanEquals = { type: 'boolean' };
  ops.BooleanEqualsPath = referencePath;
  for (const test of ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp']) ops[test] = { type: 'boolean' };
  return ops;
}

const schema = {
  $ref: '#/$defs/machine',
  $defs: {
    machine: machineSchema(),
    processor: machineSchema({
      ProcessorConfig: {
        type: 'object',
        properties: { Mode: { enum: ['INLINE', 'DISTRIBUTED'] }, ExecutionType: { enum: ['STANDARD', 'EXPRESS'] } },
        additionalProperties: false,
      },
    }),
    state: {
      type: 'object',
      properties: { Type: { type: 'string' } },
      required: ['Type'],
      discriminator: { propertyName: 'Type' },
      oneOf: ['task', 'choice', 'wait', 'parallel', 'map', 'pass', 'succeed', 'fail'].map((t) => ({ $ref: `#/$defs/${t}` })),
    },
    task: stateSchema(
      'Task',
      {
        ...transition, ...io, ...results, ...errors,
        Resource: { type: 'string', minLength: 1 },
        Parameters: template,
        Credentials: template,
        TimeoutSeconds: positiveInt,
        TimeoutSecondsPath: referencePath,
        HeartbeatSeconds: positiveInt,
        HeartbeatSecondsPath: referencePath,
      },
      ['Resource'],
    ),
    choice: stateSchema('Choice', { ...io, Choices: { type: 'array', minItems: 1, items: { $ref: '#/$defs/rule' } }, Default: { type: 'string', minLength: 1 } }, ['Choices']),
    rule: {
      type: 'object',
      properties: {
        Variable: { type: 'string', format: 'asl-path' },
        And: { type: 'array', minItems: 1, items: { $ref: '#/$defs/rule' } },
        Or: { type: 'array', minItems: 1, items: { $ref: '#/$defs/rule' } },
        Not: { $ref: '#/$defs/rule' },
        Next: { type: 'string', minLength: 1 },
        Comment: { type: 'string' },
        ...operatorSchemas(),
      },
      additionalProperties: false,
    },
    wait: stateSchema('Wait', {
      ...transition, ...io,
      Seconds: nonNegativeInt,
      Timestamp: { type: 'string', format: 'asl-timestamp' },
      SecondsPath: referencePath,
      TimestampPath: referencePath,
    }),
    parallel: stateSchema('Parallel', { ...transition, ...io, ...results, ...errors, Parameters: template, Branches: { type: 'array', minItems: 1, items: { $ref: '#/$defs/machine' } } }, ['Branches']),
    map: stateSchema('Map', {
      ...transition, ...io, ...results, ...errors,
      ItemProcessor: { $ref: '#/$defs/processor' },
      Iterator: { $ref: '#/$defs/machine' },
      ItemsPath: referencePath,
      ItemSelector: template,
      Parameters: template,
      MaxConcurrency: nonNegativeInt,
      MaxConcurrencyPath: referencePath,
      ToleratedFailureCount: nonNegativeInt,
      ToleratedFailureCountPath: referencePath,
      ToleratedFailurePercentage: { type: 'number', minimum: 0, maximum: 100 },
      ToleratedFailurePercentagePath: referencePath,
    }),
    pass: stateSchema('Pass', { ...transition, ...io, Parameters: template, Result: {}, ResultPath: resultPath }),
    succeed: stateSchema('Succeed', io),
    fail: stateSchema('Fail', { Error: { type: 'string' }, Cause: { type: 'string' }, ErrorPath: { type: 'string' }, CausePath: { type: 'string' } }),
    retrier: {
      type: 'object',
      properties: {
        ErrorEquals: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        IntervalSeconds: positiveInt,
        MaxAttempts: nonNegativeInt,
        BackoffRate: { type: 'number', minimum: 1 },
        MaxDelaySeconds: positiveInt,
        JitterStrategy: { enum: ['FULL', 'NONE'] },
        Comment: { type: 'string' },
      },
      required: ['ErrorEquals'],
      additionalProperties: false,
    },
    catcher: {
      type: 'object',
      properties: {
        ErrorEquals: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        Next: { type: 'string', minLength: 1 },
        ResultPath: resultPath,
        Comment: { type: 'string' },
      },
      required: ['ErrorEquals', 'Next'],
      additionalProperties: false,
    },
  },
};

export const ASL_SCHEMA = schema;
/** Compiled on first use: importing the library should not cost the sidecar's startup a schema compile. */
let validate: ReturnType<typeof ajv.compile> | undefined;

const FORMAT_MESSAGES: Record<string, string> = {
  'asl-path': 'is not a valid path (a JSONPath starting with $ or $$)',
  'asl-result-path': 'is not a valid reference path (a $ path naming a single node: no .., *, ?, :, or ,)',
  'asl-reference-path': 'is not a valid reference path (a $ or $$ path naming a single node: no .., *, ?, :, or ,)',
  'asl-timestamp': 'is not an RFC 3339 timestamp such as "2016-03-14T01:59:00Z"',
};

/** Structural problems as JSON pointers into the definition and messages. */
export function schemaProblems(definition: unknown): { pointer: string; message: string }[] {
  validate ??= ajv.compile(schema);
  if (validate(definition)) return [];
  return (validate.errors ?? []).map(describe);
}

function describe(e: ErrorObject): { pointer: string; message: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { pointer: `${e.instancePath}/${escape(String(p.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return { pointer: `${e.instancePath}/${escape(String(p.additionalProperty))}`, message: 'is not a field of this object' };
    case 'format':
      return { pointer: e.instancePath, message: FORMAT_MESSAGES[String(p.format)] ?? `must match format ${String(p.format)}` };
    case 'discriminator':
      return { pointer: `${e.instancePath}/Type`, message: 'must be one of "Task", "Choice", "Wait", "Parallel", "Map", "Pass", "Succeed", "Fail"' };
    case 'const':
      return { pointer: e.instancePath, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'enum':
      return { pointer: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'propertyNames':
      return { pointer: e.instancePath, message: `has a state name that is empty or longer than 80 characters: ${JSON.stringify(p.propertyName)}` };
    default:
      return { pointer: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

/** JSON pointer escaping of one reference token (RFC 6901). */
export function escape(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
