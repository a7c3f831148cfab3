import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedSetup, progress, requireCommand, run, settle, SDK_CACHE, REPO, type Toolchain } from './sdk-toolchains.js';

const SOURCE = join(REPO, 'test', 'e2e', 'sdk', 'java');
const CACHE = join(SDK_CACHE, 'java');
const CLASSPATH = join(CACHE, 'classpath.txt');

export interface JavaSdk {
  java: string;
  /** The SDK and its dependencies, resolved by Maven into `.cache/sdk/java/m2`. */
  classpath: string;
  /** The client, run as a single source file. */
  client: string;
}

let setup: Promise<Toolchain<JavaSdk>> | undefined;

/**
 * The Java SDK named by test/e2e/sdk/java/pom.xml, resolved once from Maven Central into the cache
 * (again when the POM changes).
 */
export function javaSdk(): Promise<Toolchain<JavaSdk>> {
  setup ??= (async () => {
    const java = await requireCommand('java', 'the Java SDK tests');
    if ('skip' in java) return java;
    const mvn = await requireCommand('mvn', 'resolving the Java SDK');
    if ('skip' in mvn) return mvn;
    const pom = readFileSync(join(SOURCE, 'pom.xml'), 'utf8');
    const stamp = `pom.xml sha256 ${createHash('sha256').update(pom).digest('hex')}`;
    return settle('java', async () => {
      await cachedSetup('java', CACHE, stamp, async () => {
        progress('java', 'mvn dependency:build-classpath (resolves io.dapr:dapr-sdk from Maven Central)');
        await run(mvn.ready, ['-B', '-q', `-Dmaven.repo.local=${join(CACHE, 'm2')}`, 'dependency:build-classpath', `-Dmdep.outputFile=${CLASSPATH}`], { cwd: SOURCE });
      });
      return { java: java.ready, classpath: readFileSync(CLASSPATH, 'utf8').trim(), client: join(SOURCE, 'SdkClient.java') };
    });
  })();
  return setup;
}
