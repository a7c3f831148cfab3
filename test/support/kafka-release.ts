import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withProgress } from './server-process.js';

/**
 * Apache Kafka release jars for the test broker, fetched from Maven Central once (`mvn
 * dependency:copy-dependencies` on a generated pom) and kept under `.cache/kafka-<version>/` (git-ignored)
 * with what makes later starts fast: a formatted empty log dir and a JVM class-data archive.
 */

const CACHE_ROOT = fileURLToPath(new URL('../../.cache/', import.meta.url));
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
const FORMAT_TIMEOUT_MS = 60_000;
const exec = promisify(execFile);

/** Runs a tool, naming what to install (or the external broker to use) when it is missing. */
async function run(tool: 'java' | 'mvn', args: string[], options: { timeout: number; maxBuffer?: number }): Promise<void> {
  try {
    await exec(tool, args, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new Error(`the test Kafka broker needs ${tool} on PATH (Java 17+ and Maven), or MECHA_TEST_KAFKA=host:port of a running broker`);
  }
}

/**
 * The one SASL account of the test broker. Its PLAIN and SCRAM passwords differ, so a client that logs
 * in with the SCRAM password proves it really spoke SCRAM.
 */
export const KAFKA_SASL_USER = { username: 'mecha', plainPassword: 'mecha-plain-secret', scramPassword: 'mecha-scram-secret' } as const;
const SCRAM_ARGS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${KAFKA_SASL_USER.username},password=${KAFKA_SASL_USER.scramPassword}]`]);

/** Where one release lives on disk: its jars, a formatted empty log dir, and a class-data archive. */
export type KafkaHome = Record<'version' | 'libs' | 'template' | 'archive', string>;

export async function kafkaHome(version: string): Promise<KafkaHome> {
  const cache = join(CACHE_ROOT, `kafka-${version}`);
  // The template's name carries a digest of the accounts formatted into it, so a stale one is never reused.
  const digest = createHash('sha256').update(SCRAM_ARGS.join(' ')).digest('hex').slice(0, 8);
  const home = { version, libs: join(cache, 'libs'), template: join(cache, `formatted-${digest}`), archive: join(cache, 'broker.jsa') };
  if (existsSync(home.libs)) return home;
  // Staged and renamed: a concurrent run in the same checkout either wins the rename or reuses the winner's.
  await mkdir(cache, { recursive: true });
  const staging = await mkdtemp(join(cache, 'staging-'));
  try {
    const pom = join(staging, 'pom.xml');
    await writeFile(pom, pomXml(version));
    const jars = join(staging, 'libs');
    await withProgress(`downloading the Apache Kafka ${version} broker jars from Maven Central (mvn) into .cache/kafka-${version}/, once, for the private test broker of the Kafka tests (MECHA_TEST_KAFKA=host:port uses a running one)`, () =>
      run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${jars}`], {
        timeout: DOWNLOAD_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      }),
    );
    await rename(jars, home.libs).catch((err: Error) => {
      if (!existsSync(home.libs)) throw err;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return home;
}

/** The broker and its runtime dependencies; slf4j-simple gives its warnings a voice on 3.x and 4.x alike. */
function pomXml(version: string): string {
  const dep = (g: string, a: string, v: string) => `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>local.test</groupId><artifactId>kafka-broker</artifactId><version>1</version>
<dependencies>${dep('org.apache.kafka', 'kafka_2.13', version)}${dep('org.slf4j', 'slf4j-simple', '1.7.36')}</dependencies></project>\n`;
}

export function jvm(home: KafkaHome): string[] {
  // C1 only, serial GC and no perf-data file: a small test broker starts faster and lighter this way.
  return [
    '-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', '-Djava.awt.headless=true',
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', `${home.libs}/*`,
  ];
}

/**
 * KRaft needs a formatted log dir. The result does not depend on ports or paths, so the first run keeps a
 * copy and later runs copy it instead of starting one more JVM.
 */
export async function formatLogDir(home: KafkaHome, props: string, data: string): Promise<void> {
  if (existsSync(home.template)) {
    await cp(home.template, data, { recursive: true });
    return;
  }
  // SCRAM accounts live in the cluster metadata, so they are written when the log dir is formatted.
  await run('java', [...jvm(home), 'kafka.tools.StorageTool', 'format', '-t', 'mecha-test-cluster-0001', '-c', props, ...SCRAM_ARGS], { timeout: FORMAT_TIMEOUT_MS });
  const staging = `${home.template}.${process.pid}.tmp`;
  await cp(data, staging, { recursive: true });
  await rename(staging, home.template).catch(() => rm(staging, { recursive: true, force: true }));
}
