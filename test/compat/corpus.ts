import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { packageFile } from '../../src/util/package-files.js';
import { grpcClient, runGrpcCase } from './grpc-runner.js';
import { grpcFamilies } from './grpc-families.js';
import { normaliseHttp, send } from './http-client.js';
import { httpFamilies } from './http-families/index.js';
import type { FixtureFile, GrpcAnswer, GrpcCase, HttpAnswer, HttpCase } from './types.js';

/** Found from the package root, so the bundled recorder (in dist/) writes where the tests read. */
export const FIXTURES_DIR = packageFile('test', 'compat', 'fixtures') + '/';

/** How a case is named in fixtures, reports and the allow-list: `http/<family>/<id>`. */
export type CaseKey = string;

/** What a fixture keeps of a request: enough to read, and a digest that tells when the corpus changed. */
export interface CaseSummary {
  id: string;
  request: string;
  digest: string;
}

export interface RunResult<A> {
  transport: 'http' | 'grpc';
  family: string;
  results: Array<{ case: CaseSummary; answer: A }>;
}

export function summarise(c: HttpCase | GrpcCase): CaseSummary {
  const digest = createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
  const request = 'method' in c ? `${c.method} ${c.path}` : `${c.rpc} ${JSON.stringify(c.request)}`;
  return { id: c.id, request: request.length > 160 ? `${request.slice(0, 160)}… (${request.length} chars)` : request, digest };
}

/** Runs the whole corpus, family after family and case after case, against one sidecar. */
export async function runCorpus(ports: { http: number; grpc: number }): Promise<Array<RunResult<HttpAnswer> | RunResult<GrpcAnswer>>> {
  const out: Array<RunResult<HttpAnswer> | RunResult<GrpcAnswer>> = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const family of httpFamilies()) {
      const results = [];
      for (const c of family.cases) results.push({ case: summarise(c), answer: normaliseHttp(await send(agent, ports.http, c)) });
      out.push({ transport: 'http', family: family.name, results });
    }
  } finally {
    agent.destroy();
  }
  const client = grpcClient(ports.grpc);
  try {
    for (const family of grpcFamilies()) {
      const results = [];
      for (const c of family.cases) results.push({ case: summarise(c), answer: await runGrpcCase(client, c) });
      out.push({ transport: 'grpc', family: family.name, results });
    }
  } finally {
    client.close();
  }
  return out;
}

export function fixtureName(run: { transport: string; family: string }): string {
  return `${run.transport}-${run.family.replace(/^grpc-/, '')}.json`;
}

export function readFixtures(): Array<FixtureFile<CaseSummary, HttpAnswer | GrpcAnswer>> {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(FIXTURES_DIR + f, 'utf8')));
}
