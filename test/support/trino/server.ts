/**
 * A real single-node Trino 476 for tests: coordinator and worker in one JVM, bound for loopback
 * traffic, with a `hive` catalog over the local filesystem so a table can point at
 * `local:///absolute/path` (the layout the lake has on S3, read the way Athena reads it).
 *
 * Every start gets a fresh etc/, data directory and file metastore in a temporary folder. The
 * server runs under a small shell watchdog that stops it when this process's pipe to it closes,
 * so no Trino outlives a test run, even one that is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRINO_SERVER_DEFAULTS = {
  /**
   * JVM heap. The test machines have 2 cores and 24 GB shared with other processes; 3 GB runs
   * every view of the demo lake on one node.
   */
  maxHeap: '3G',
  /** Longest wait for the node to report that it finished starting (about 14 s on 2 idle cores). */
  startTimeoutMs: 180_000,
  /** Longest wait for a graceful shutdown before the JVM is killed. */
  stopTimeoutMs: 20_000,
  /** The catalog over the local filesystem. */
  catalog: 'hive',
  /** Attempts when another process takes the free port between choosing and binding it. */
  portAttempts: 3,
} as const;

const POLL_INTERVAL_MS = 250;
const LOG_TAIL_LINES = 60;
const INSTALL_SCRIPT = fileURLToPath(new URL('../../../scripts/trino/install.sh', import.meta.url));

/** Where the install script put Trino and which JDK runs it. */
export interface TrinoInstallation {
  /** The cache folder holding `server/` and `trino-cli.jar`. */
  readonly trinoHome: string;
  /** A JDK >= 24 (Trino 476 refuses older Java). */
  readonly javaHome: string;
  /** The executable Trino CLI: `${javaHome}/bin/java -jar ${cliJar} --server URL --file F`. */
  readonly cliJar: string;
}

export interface TrinoServerOptions {
  /** @default TRINO_SERVER_DEFAULTS.maxHeap */
  readonly maxHeap?: string;
  /** Added to (or overriding) the properties of the `hive` catalog. @default none */
  readonly hiveProperties?: Readonly<Record<string, string>>;
  /** @default TRINO_SERVER_DEFAULTS.startTimeoutMs */
  readonly startTimeoutMs?: number;
  /** Receives the start-up line. @default console.log */
  readonly log?: (line: string) => void;
  /**
   * The HTTP port, for a caller that hands the address out before the node is up; a node that
   * cannot bind it fails. @default a free port, chosen again when another process takes it first
   */
  readonly port?: number;
}

export interface TrinoServer {
  /** `http://127.0.0.1:<port>`, for trino-client or `trino-cli --server`. */
  readonly url: string;
  /** The catalog over the local filesystem: tables take `external_location = 'local:///abs/path'`. */
  readonly catalog: string;
  /** Temporary folder holding etc/, the data directory, the metastore and server.log. */
  readonly directory: string;
  readonly installation: TrinoInstallation;
  /** Seconds from spawning the launcher to the node reporting it has started. */
  readonly startupSeconds: number;
  /** Stops the node gracefully (killed after TRINO_SERVER_DEFAULTS.stopTimeoutMs) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Runs scripts/trino/install.sh (instant once installed). Throws with the script's own account of
 * what is missing, such as Maven or a JDK >= 24, and how to get it.
 */
export async function installTrino(): Promise<TrinoInstallation> {
  const child = spawn('bash', [INSTALL_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`Trino is not available: ${INSTALL_SCRIPT} exited with ${code}\n${stderr.trim()}`);
  }
  const value = (key: string): string => {
    const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${key}=`));
    if (line === undefined) throw new Error(`${INSTALL_SCRIPT} printed no ${key}= line:\n${stdout}`);
    return line.slice(key.length + 1);
  };
  const trinoHome = value('TRINO_HOME');
  return { trinoHome, javaHome: value('JAVA_HOME'), cliJar: join(trinoHome, 'trino-cli.jar') };
}

/** Installs Trino if needed, starts one node and resolves once it accepts queries. */
export async function startTrinoServer(options: TrinoServerOptions = {}): Promise<TrinoServer> {
  const installation = await installTrino();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(installation, options);
    } catch (error) {
      const portTaken = error instanceof TrinoStartError && /BindException|Address already in use/.test(error.logTail);
      if (!portTaken || options.port !== undefined || attempt >= TRINO_SERVER_DEFAULTS.portAttempts) throw error;
    }
  }
}

/**
 * Runs a file of statements with the Trino CLI of the installation, as a user runs the output of
 * `servicebench ddl`; stops at the first failing statement and throws with the CLI's output.
 */
export async function runTrinoFile(installation: TrinoInstallation, url: string, file: string): Promise<string> {
  const java = join(installation.javaHome, 'bin', 'java');
  const child = spawn(java, ['-jar', installation.cliJar, '--server', url, '--file', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`the Trino CLI exited with ${code} running ${file}:\n${output.trim()}`);
  return output;
}

/** The node exited or never answered; the message ends with the tail of its log. */
export class TrinoStartError extends Error {
  constructor(
    reason: string,
    readonly logTail: string,
  ) {
    super(`${reason}\n--- last lines of the Trino server log ---\n${logTail}`);
    this.name = 'TrinoStartError';
  }
}

async function startOnce(installation: TrinoInstallation, options: TrinoServerOptions): Promise<TrinoServer> {
  const directory = await mkdtemp(join(tmpdir(), 'servicebench-trino-'));
  const port = options.port ?? (await freeLoopbackPort());
  const url = `http://127.0.0.1:${port}`;
  const etc = join(directory, 'etc');
  const data = join(directory, 'data');
  const logFile = join(directory, 'server.log');
  await writeConfiguration({ etc, data, metastore: join(directory, 'metastore'), port, options });

  const launcher = join(installation.trinoHome, 'server', 'bin', 'launcher');
  const log = await open(logFile, 'w');
  const started = performance.now();
  const watchdog = spawn(
    'bash',
    ['-c', WATCHDOG, 'trino-watchdog', launcher, 'run', `--etc-dir=${etc}`, `--data-dir=${data}`],
    {
      stdio: ['pipe', log.fd, log.fd],
      env: {
        ...process.env,
        JAVA_HOME: installation.javaHome,
        PATH: `${installation.javaHome}/bin:${process.env.PATH}`,
      },
    },
  );
  await log.close();
  const exited = new Promise<string>((resolve) => {
    watchdog.once('exit', (code, signal) => resolve(`exited with ${signal ?? code}`));
  });
  const killOnExit = () => killServer(data, watchdog);
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    watchdog.stdin?.end();
    const timer = setTimeout(() => killServer(data, watchdog), TRINO_SERVER_DEFAULTS.stopTimeoutMs);
    await exited;
    clearTimeout(timer);
    await rm(directory, { recursive: true, force: true });
  };

  const timeoutMs = options.startTimeoutMs ?? TRINO_SERVER_DEFAULTS.startTimeoutMs;
  const outcome = await Promise.race([waitUntilStarted(url, timeoutMs), exited]);
  if (outcome !== 'started') {
    const tail = await logTail(logFile);
    await stop();
    const reason =
      outcome === 'timed out'
        ? `Trino did not finish starting at ${url} within ${timeoutMs / 1000} s`
        : `Trino ${outcome} before it finished starting at ${url}`;
    throw new TrinoStartError(reason, tail);
  }
  const startupSeconds = Math.round((performance.now() - started) / 100) / 10;
  (options.log ?? console.log)(`Trino 476 started at ${url} in ${startupSeconds} s (${directory})`);
  return { url, catalog: TRINO_SERVER_DEFAULTS.catalog, directory, installation, startupSeconds, stop };
}

/**
 * Runs the launcher in the foreground and stops it (SIGTERM: graceful shutdown) when stdin
 * reaches end of file, which happens when stop() ends the pipe or when this process dies.
 * Background jobs of a non-interactive shell read /dev/null, hence the copy of stdin on fd 3.
 */
const WATCHDOG = `
exec 3<&0
"$@" &
server=$!
{ cat <&3 >/dev/null; kill -TERM "$server" 2>/dev/null; } &
wait "$server"
`;

async function writeConfiguration(target: {
  etc: string;
  data: string;
  metastore: string;
  port: number;
  options: TrinoServerOptions;
}): Promise<void> {
  const { etc, data, metastore, port, options } = target;
  await mkdir(join(etc, 'catalog'), { recursive: true });
  await mkdir(data, { recursive: true });
  await mkdir(metastore, { recursive: true });
  const hive = {
    'connector.name': 'hive',
    'hive.metastore': 'file',
    'hive.metastore.catalog.dir': `local://${metastore}`,
    'fs.native-local.enabled': 'true',
    // A path, not a URI: `local:///x/y` resolves to `${local.location}/x/y`.
    'local.location': '/',
    // Tables over an existing lake folder are external; writing into them is how a period is
    // materialised (INSERT INTO a partitioned table), as on Athena.
    'hive.non-managed-table-writes-enabled': 'true',
    ...options.hiveProperties,
  };
  await Promise.all([
    writeFile(
      join(etc, 'node.properties'),
      properties({
        'node.environment': 'test',
        'node.id': randomUUID(),
        'node.data-dir': data,
        // Without it the node calls itself on the machine's network address.
        'node.internal-address': '127.0.0.1',
      }),
    ),
    writeFile(
      join(etc, 'config.properties'),
      properties({
        coordinator: 'true',
        'node-scheduler.include-coordinator': 'true',
        'http-server.http.port': String(port),
        'discovery.uri': `http://127.0.0.1:${port}`,
      }),
    ),
    writeFile(
      join(etc, 'jvm.config'),
      [
        '-server',
        `-Xmx${options.maxHeap ?? TRINO_SERVER_DEFAULTS.maxHeap}`,
        '-XX:+UseG1GC',
        '-XX:G1HeapRegionSize=32M',
        '-XX:+ExplicitGCInvokesConcurrent',
        '-XX:+ExitOnOutOfMemoryError',
        '-XX:-OmitStackTraceInFastThrow',
        '-XX:ReservedCodeCacheSize=256M',
        // The client compiler only: a test node runs hundreds of short queries over small lakes,
        // each with code Trino generates for it, and never lives long enough for C2's optimised
        // code to repay its compiling. Measured on one node over the small demo lake (DDL, a
        // refresh of every family, six views): 259 JVM CPU s with tiered compilation, 171 with C1
        // alone (start-up 23 -> 14, refresh 171 -> 96, the views 72 -> 67).
        '-XX:TieredStopAtLevel=1',
        '-XX:+EnableDynamicAgentLoading',
        '-Djdk.attach.allowAttachSelf=true',
        '-Dfile.encoding=UTF-8',
        '',
      ].join('\n'),
    ),
    writeFile(join(etc, 'catalog', `${TRINO_SERVER_DEFAULTS.catalog}.properties`), properties(hive)),
  ]);
}

function properties(values: Readonly<Record<string, string>>): string {
  return `${Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

async function waitUntilStarted(url: string, timeoutMs: number): Promise<'started' | 'timed out'> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok && ((await response.json()) as { starting?: boolean }).starting === false) return 'started';
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  return 'timed out';
}

/**
 * A loopback port that is free now and below the kernel's range for outgoing connections, so that
 * none of those takes it while a node that was handed it is still starting.
 */
export async function portOutsideEphemeralRange(): Promise<number> {
  const [first] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const below = first !== undefined && first > 20_000 ? first : 32_768;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    if (await isFree(port)) return port;
  }
  return freeLoopbackPort();
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Resolves once the node at `url` has finished starting; rejects with the content of
 * `failureFile` as soon as a starter writes its failure there, or after `timeoutMs`.
 */
export async function waitForTrino(url: string, failureFile: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const failure = await readFile(failureFile, 'utf8').catch(() => undefined);
    if (failure !== undefined) throw new Error(failure);
    if ((await waitUntilStarted(url, POLL_INTERVAL_MS)) === 'started') return;
  }
  throw new Error(`Trino did not finish starting at ${url} within ${timeoutMs / 1000} s`);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Kills the JVM (its pid is in the launcher's pid file) and the watchdog; synchronous, for the exit hook. */
function killServer(data: string, watchdog: ChildProcess): void {
  try {
    const pid = Number(readFileSync(join(data, 'var', 'run', 'launcher.pid'), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // Not started far enough to write its pid, or already gone.
  }
  watchdog.kill('SIGKILL');
}

async function logTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '(no log written)');
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
}
