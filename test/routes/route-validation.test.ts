import pino from 'pino';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ResourceDocument } from '../../src/config/resource-documents.js';
import { RouteKind } from '../../src/routes/route-kind.js';
import type { MechaKindDeps } from '../../src/runtime/mecha-kinds/mecha-kind.js';
import { routeDoc } from './route-harness.js';

// load() is pure: it reads the documents and never touches the building blocks.
const kind = new RouteKind({ appId: 'checker', namespace: 'default', logger: pino({ level: 'silent' }) } as MechaKindDeps);
const docs = (...texts: string[]): ResourceDocument[] => texts.map((t, i) => ({ file: 'routes.yaml', index: i + 1, content: parse(t) as Record<string, unknown> }));
const problems = (...texts: string[]) => kind.load(docs(...texts)).problems.map((p) => `${p.document} ${p.field}: ${p.message}`);

describe('Route validation', () => {
  it('reports every problem of every route at once, naming the field', () => {
    const found = problems(
      routeDoc(
        'bad-steps',
        `from: { pubsub: bus, topic: orders }
steps:
  - filter: "event.data.total >"
  - transform: { jsonata: "{ 'id': id" }
  - split: "lines["
  - choice:
      - when: "event.data.x ==="
        to: [{ pubsub: bus }]
    otherwise: []
  - wireTap: { state: { store: kv } }
  - teleport: yes
  - filter: "true"
    transform: { jsonata: "x" }
to: [{ pubsub: bus, topic: out, extra: 1 }]
deadLetter: { pubsub: bus }`,
      ),
      routeDoc('bad-source', 'from: { http: { path: /v1.0/state/x, method: GET } }\nto: []'),
      routeDoc('no-source', 'from: { kafka: x }\nto: [{ binding: b }, { invoke: { appId: a } }, { state: { store: s, key: "1 +" } }]'),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1 spec.steps\[0\].filter: invalid CEL expression/),
        expect.stringMatching(/^1 spec.steps\[1\].transform.jsonata: invalid JSONata expression/),
        expect.stringMatching(/^1 spec.steps\[2\].split: invalid JSONata expression/),
        expect.stringMatching(/^1 spec.steps\[3\].choice\[0\].when: invalid CEL expression/),
        '1 spec.steps[3].choice[0].to[0].topic: is required',
        '1 spec.steps[3].otherwise: must be a non-empty list of sinks',
        '1 spec.steps[4].wireTap.state.key: is required',
        expect.stringMatching(/^1 spec.steps\[5\]: must name exactly one step: filter, transform, split, choice, wireTap/),
        expect.stringMatching(/^1 spec.steps\[6\]: must name exactly one step/),
        '1 spec.to[0]: has an unknown field "extra"',
        '1 spec.deadLetter.topic: is required',
        '2 spec.to: must NOT have fewer than 1 items',
        '3 spec.from: must name exactly one source: pubsub, binding, http',
        '3 spec.to[0].operation: is required',
        '3 spec.to[1].invoke.method: is required',
        expect.stringMatching(/^3 spec.to\[2\].state.key: invalid CEL expression/),
      ]),
    );
    // The second route's source is checked once its spec shape is right.
    expect(problems(routeDoc('bad-source', 'from: { http: { path: /v1.0/state/x, method: GET } }\nto: [{ pubsub: bus, topic: t }]'))).toEqual([
      '1 spec.from.http.path: must be a path starting with "/", outside /v1.0… and /dapr/…, without query',
      '1 spec.from.http.method: must be one of "POST", "PUT", "PATCH"',
    ]);
  });

  it('refuses two routes on one webhook and leaves out routes scoped to other apps', () => {
    const hook = 'from: { http: { path: /hooks/a } }\nto: [{ pubsub: bus, topic: t }]';
    expect(problems(routeDoc('one', hook), routeDoc('two', hook))).toEqual(['2 spec.from.http.path: POST /hooks/a is already the source of route "one"']);
    expect(problems(routeDoc('other', 'from: { kafka: x }\nto: []', ['someone-else']))).toEqual([]);
  });

  it('accepts a valid route', () => {
    expect(
      problems(
        routeDoc(
          'fine',
          `from: { binding: ticks }
steps:
  - filter: "has(event.data) || true"
  - transform: { jsonata: "$", setHeaders: { a: b }, removeHeaders: [c], setAttributes: { subject: s }, removeAttributes: [subject] }
  - split: "$"
  - choice: [{ when: "true", to: [{ binding: out, operation: create }] }]
  - wireTap: { invoke: { appId: audit, method: log } }
to: [{ state: { store: kv, key: "event.id" } }]
deadLetter: { pubsub: bus, topic: dead }`,
        ),
      ),
    ).toEqual([]);
  });
});

describe('Route validation, once per problem', () => {
  it('names a problem of the dead-letter sink once', () => {
    expect(problems(routeDoc('dl', 'from: { binding: b }\nto: [{ pubsub: bus, topic: t }]\ndeadLetter: { pubsub: bus }'))).toEqual(['1 spec.deadLetter.topic: is required']);
    expect(problems(routeDoc('dl', 'from: { binding: b }\nto: [{ pubsub: bus, topic: t }]\ndeadLetter: { binding: b, operation: create }'))).toEqual(['1 spec.deadLetter.pubsub: is required']);
  });
});

describe('Route schemas', () => {
  // The sidecar's ajv skips meta-schema validation to start faster; checked here, as test/unit/schemas.test.ts does for the others.
  it('are valid JSON Schema', async () => {
    const { Ajv } = await import('ajv');
    const { SPEC_SCHEMA, SOURCE_SCHEMAS } = await import('../../src/routes/route-spec.js');
    const { SINK_SCHEMAS } = await import('../../src/routes/sinks.js');
    const { TRANSFORM_SCHEMA } = await import('../../src/routes/steps/transform.js');
    const meta = new Ajv({ strict: true });
    for (const schema of [SPEC_SCHEMA, TRANSFORM_SCHEMA, ...Object.values(SOURCE_SCHEMAS), ...Object.values(SINK_SCHEMAS)]) {
      expect(meta.validateSchema(schema) ? '' : meta.errorsText(meta.errors)).toBe('');
    }
  });
});
