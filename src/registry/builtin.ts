import type { ComponentDescriptor } from '../contracts/component.js';
import { inMemoryState } from '../components/state/in-memory/index.js';
import { redisState } from '../components/state/redis/index.js';
import { sqliteState } from '../components/state/sqlite/index.js';
import { postgresqlState } from '../components/state/postgresql/index.js';
import { inMemoryPubSub } from '../components/pubsub/in-memory/index.js';
import { redisPubSub } from '../components/pubsub/redis/index.js';
import { kafkaPubSub } from '../components/pubsub/kafka/index.js';
import { mqtt3PubSub } from '../components/pubsub/mqtt3/index.js';
import { jetstreamPubSub } from '../components/pubsub/jetstream/index.js';
import { rabbitmqPubSub } from '../components/pubsub/rabbitmq/index.js';
import { localEnvSecretStore } from '../components/secretstores/local-env/index.js';
import { localFileSecretStore } from '../components/secretstores/local-file/index.js';
import { inMemoryConfiguration } from '../components/configuration/in-memory/index.js';
import { redisConfiguration } from '../components/configuration/redis/index.js';
import { cronBinding } from '../components/bindings/cron/index.js';
import { httpBinding } from '../components/bindings/http/index.js';
import { kafkaBinding } from '../components/bindings/kafka/index.js';
import { localStorageBinding } from '../components/bindings/localstorage/index.js';
import { redisBinding } from '../components/bindings/redis/index.js';
import { inMemoryLock } from '../components/lock/in-memory/index.js';
import { redisLock } from '../components/lock/redis/index.js';
import { kubernetesNameResolution } from '../components/nameresolution/kubernetes/index.js';
import { sqliteNameResolution } from '../components/nameresolution/sqlite/index.js';

/** Every adapter this build ships, one line each. Descriptors are tiny: implementations load on first use. */
export const builtinComponents: readonly ComponentDescriptor[] = [
  cronBinding,
  httpBinding,
  kafkaBinding,
  localStorageBinding,
  redisBinding,
  inMemoryConfiguration,
  redisConfiguration,
  localFileSecretStore,
  localEnvSecretStore,
  inMemoryLock,
  redisLock,
  inMemoryState,
  sqliteState,
  redisState,
  postgresqlState,
  inMemoryPubSub,
  redisPubSub,
  kafkaPubSub,
  mqtt3PubSub,
  jetstreamPubSub,
  rabbitmqPubSub,
];

/** Name resolvers: chosen by Configuration `spec.nameResolution`, not declared as Component resources. */
export const builtinNameResolvers: readonly ComponentDescriptor[] = [sqliteNameResolution, kubernetesNameResolution];
