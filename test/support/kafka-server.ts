import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

export interface KafkaServer {
  brokers: string;
  stop(): Promise<void>;
}

const KAFKA_VERSION = '3.9.1';
const CACHE = fileURLToPath(new URL(`../../.cache/kafka-${KAFKA_VERSION}/`, import.meta.url));
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const run = promisify(execFile);

/**
 * An Apache Kafka broker for the tests, single node in KRaft mode on free loopback ports: the release
 * jars come from Maven Central once (cached in `.cache/`, git-ignored); each run formats a fresh log dir.
 * `MECHA_TEST_KAFKA` (host:port) points at a running broker instead.
 */
export async function ensureKafkaServer(): Promise<KafkaServer> {
  if (process.env.MECHA_TEST_KAFKA) return { brokers: process.env.MECHA_TEST_KAFKA, stop: async () => {} };
  const classpath = `${await jars()}/*`;
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = await mkdtemp(join(tmpdir(), 'mecha-kafka-'));
  const props = join(dir, 'server.properties');
  await writeFile(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${HOST}:${controllerPort}`,
      `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://${HOST}:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=true',
    ].join('\n'),
  );
  const java = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', classpath];
  await run('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', 'mecha-test-cluster-0001', '-c', props], { timeout: 60_000 });
  const child = spawn('java', [...java, 'kafka.Kafka', props], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    await kill(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  const brokers = `${HOST}:${port}`;
  try {
    await waitReady(brokers, child);
  } catch (err) {
    await stop();
    throw err;
  }
  return { brokers, stop };
}

/** The broker's jar set (kafka_2.13 and its runtime dependencies), fetched with Maven on first use. */
async function jars(): Promise<string> {
  const libs = join(CACHE, 'libs');
  if (existsSync(libs) && (await readdir(libs)).some((f) => f.startsWith('kafka_2.13-'))) return libs;
  await mkdir(CACHE, { recursive: true });
  await writeFile(
    join(CACHE, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.test</groupId><artifactId>kafka-broker</artifactId><version>1</version><dependencies>
<dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
</dependencies></project>`,
  );
  await run('mvn', ['-q', '-B', '-f', join(CACHE, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'], {
    timeout: 5 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return libs;
}

async function waitReady(brokers: string, child: ChildProcess): Promise<void> {
  const admin = new Kafka({ clientId: 'mecha-test-setup', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error('the Kafka broker exited during startup');
      try {
        await admin.connect();
        await admin.listTopics();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new Error(`the Kafka broker on ${brokers} was not ready within ${READY_TIMEOUT_MS / 1000} s`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
