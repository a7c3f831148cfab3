import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePorts } from './server-process.js';
import { formatLogDir, jvm, kafkaHome, KAFKA_SASL_USER, type KafkaHome } from './kafka-release.js';

export interface KafkaServer {
  /** `host:port` of the broker's client listener. */
  brokers: string;
  /**
   * `host:port` of a SASL_PLAINTEXT listener accepting `KAFKA_SASL_USER` with PLAIN, SCRAM-SHA-256 and
   * SCRAM-SHA-512; absent for an external broker.
   */
  saslBrokers?: string;
  stop(): Promise<void>;
}

export { KAFKA_SASL_USER };

export interface KafkaServerOptions {
  /** Apache Kafka release (default 3.9.2, or `MECHA_TEST_KAFKA_VERSION`); 4.x works the same way. */
  version?: string;
  /** `num.partitions` of auto-created topics; 1 keeps every topic in publish order. */
  partitions?: number;
}

const DEFAULT_VERSION = '3.9.2';
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 100;
const STOP_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 3;
const CDS_UNUSABLE = /Unable to use shared archive|shared archive file .* (mismatch|not valid)/i;

/**
 * An Apache Kafka broker for the tests: `MECHA_TEST_KAFKA` (loopback `host:port`) when it answers, else a
 * private single-node KRaft broker (no ZooKeeper) on free loopback ports, from the release jars cached
 * by `kafka-release.ts`. Besides plain clients it serves SASL clients on a second listener.
 */
export async function ensureKafkaServer(options: KafkaServerOptions = {}): Promise<KafkaServer> {
  const external = process.env.MECHA_TEST_KAFKA;
  if (external) {
    assertLoopback(external);
    if (await answers(external, 5_000)) return { brokers: external, stop: async () => {} };
    process.stderr.write(`MECHA_TEST_KAFKA=${external} does not answer; starting a private Kafka broker\n`);
  }
  const home = await kafkaHome(options.version ?? process.env.MECHA_TEST_KAFKA_VERSION ?? DEFAULT_VERSION);
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await start(home, options.partitions ?? 1);
    } catch (err) {
      lastError = err; // most likely a probed free port was taken before the broker bound it
    }
  }
  throw lastError;
}

async function start(home: KafkaHome, partitions: number): Promise<KafkaServer> {
  const [port, controllerPort, saslPort] = await freePorts(3);
  const dir = await mkdtemp(join(tmpdir(), 'mecha-kafka-'));
  const props = join(dir, 'server.properties');
  await writeFile(props, serverProperties(home, { port, controllerPort, saslPort }, join(dir, 'data'), partitions));
  const stopDir = () => rm(dir, { recursive: true, force: true });
  try {
    await formatLogDir(home, props, join(dir, 'data'));
  } catch (err) {
    await stopDir();
    throw err;
  }
  // With no archive yet this run records one when the broker exits; later runs map it in at startup.
  const dump = `${home.archive}.${process.pid}.tmp`;
  const cds = existsSync(home.archive) ? [`-XX:SharedArchiveFile=${home.archive}`] : [`-XX:ArchiveClassesAtExit=${dump}`];
  const child = spawn('java', [...jvm(home), ...cds, 'kafka.Kafka', props], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('error', (err) => keep(Buffer.from(`${err.message}\n`)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // A test runner that dies without its teardown must not leave a JVM behind.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);

  const stop = async () => {
    process.off('exit', reap);
    const clean = await kill(child, exited);
    if (clean && existsSync(dump)) await rename(dump, home.archive).catch(() => undefined);
    await unlink(dump).catch(() => undefined);
    if (CDS_UNUSABLE.test(output)) await unlink(home.archive).catch(() => undefined); // recorded by another JDK
    await stopDir();
  };
  const brokers = `${HOST}:${port}`;
  try {
    await waitReady(brokers, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { brokers, saslBrokers: `${HOST}:${saslPort}`, stop };
}

type Ports = Record<'port' | 'controllerPort' | 'saslPort', number>;

function serverProperties(home: KafkaHome, { port, controllerPort, saslPort }: Ports, data: string, partitions: number): string {
  const { username, plainPassword } = KAFKA_SASL_USER;
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${controllerPort}`,
    `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort},SASL_PLAINTEXT://${HOST}:${saslPort}`,
    `advertised.listeners=PLAINTEXT://${HOST}:${port},SASL_PLAINTEXT://${HOST}:${saslPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    // A SASL listener (no authorizer: an authenticated client may do anything) for the password auth path.
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${plainPassword}";`,
    `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${scram}`,
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${scram}`,
    `log.dirs=${data}`,
    `num.partitions=${partitions}`,
    'auto.create.topics.enable=true',
    // Internal topics with one replica and one partition: created in milliseconds on a single node.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    // Fewer threads and a small cleaner buffer (the default reserves 128 MB of heap).
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'log.cleaner.threads=1',
    'log.cleaner.dedupe.buffer.size=4194304',
  ];
  if (Number(home.version.split('.')[0]) >= 4) lines.push('share.coordinator.state.topic.replication.factor=1', 'share.coordinator.state.topic.min.isr=1');
  return `${lines.join('\n')}\n`;
}

async function waitReady(brokers: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the Kafka broker exited during startup:\n${output().trim()}`);
    if (await answers(brokers, 1_000)) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`the Kafka broker on ${brokers} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output().trim()}`);
}

/** True when a kafkajs admin can list topics within the bound. */
async function answers(brokers: string, timeoutMs: number): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'mecha-test-probe', brokers: brokers.split(','), logLevel: logLevel.NOTHING, connectionTimeout: timeoutMs, requestTimeout: timeoutMs, retry: { retries: 0 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** SIGTERM (a clean shutdown that also writes the class-data archive), SIGKILL after the bound. */
async function kill(child: ChildProcess, exited: Promise<void>): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode !== null;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
  return child.signalCode !== 'SIGKILL';
}

function assertLoopback(brokers: string): void {
  for (const b of brokers.split(',')) {
    const host = /^\[?([^\]]+?)\]?:\d+$/.exec(b.trim())?.[1];
    if (!host || !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
      throw new Error(`MECHA_TEST_KAFKA must list loopback host:port addresses, got ${JSON.stringify(brokers)}`);
    }
  }
}
