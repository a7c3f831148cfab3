import type { FastifyInstance } from 'fastify';
import type { MechaKind, MechaKindDeps, MechaKindFactory } from '../runtime/mecha-kinds/mecha-kind.js';
import type { ContractDocuments } from './contract-documents.js';
import { ContractEnforcement } from './contract-enforcement.js';
import { loadContracts, type LoadedContract } from './contract-spec.js';
import { CONTRACT_PATHS, registerContractRoutes } from './contract-routes.js';
import { appAsyncApi, appOpenApi } from './generated-documents.js';

/** What `GET /v1.0-alpha1/contracts` and the metadata API list of each running contract. */
export function contractSummary(c: LoadedContract) {
  return {
    name: c.name,
    kinds: c.parts,
    enforce: c.enforce,
    topics: [...new Set(c.topics.map((t) => `${t.pubsubName}/${t.topic}`))],
    bindings: [...new Set(c.bindings.map((b) => (b.operation ? `${b.name}/${b.operation}` : b.name)))],
    ...(c.openapi ? { appId: c.openapi.appId, operations: c.openapi.operations.length } : {}),
  };
}

/**
 * `kind: Contract`: AsyncAPI, OpenAPI and JSON Schema documents attached to topics, bindings and apps, read
 * and compiled at load (every problem reported), enforced by the cores through the contract gate.
 */
export const createContractKind: MechaKindFactory = (deps: MechaKindDeps): MechaKind => {
  let running: LoadedContract[] = [];
  let documents: ContractDocuments | undefined;
  const gate = deps.blocks.contracts;
  const logger = deps.logger.child({ scope: 'contracts' });
  return {
    kind: 'Contract',
    metadataKey: 'contracts',
    load(docs) {
      const loaded = loadContracts(docs, deps.appId);
      return {
        problems: loaded.problems,
        apply() {
          running = loaded.contracts;
          documents = loaded.documents;
          gate.checks = running.length > 0 ? new ContractEnforcement(running, deps.appId, logger, deps.metrics) : undefined;
          if (running.length > 0) logger.info({ contracts: running.map((c) => c.name) }, 'contracts enforced');
        },
      };
    },
    metadata: () => running.map(contractSummary),
    httpRoutes(app: FastifyInstance) {
      registerContractRoutes(app, {
        list: () => running.map(contractSummary),
        asyncapi: () => appAsyncApi(deps.appId, deps.blocks.subscriptions.list(), deps.kindChannels(), running, documents),
        openapi: () => appOpenApi(deps.appId, running, documents),
      });
    },
    openApi: () => ({ paths: CONTRACT_PATHS }),
    async close() {
      gate.checks = undefined;
      running = [];
      documents = undefined;
    },
  };
};
