import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BuildOptions, buildSync, version as esbuildVersion } from 'esbuild';
import { assertEnvironmentSize } from '../lambdas/core/env/environment.ts';
import { acknowledge } from './nag.ts';
import { handlerModules, PROJECT_ROOT, SYNTH_CACHE_DIR } from './paths.ts';

/** The one Lambda runtime of the stack; every function uses it. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;
/** esbuild target matching LAMBDA_RUNTIME. */
export const ESBUILD_TARGET = 'node22';
/** Lambda architecture: Graviton is cheaper per GB-second and runs the same JavaScript. */
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;
export const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/**
 * Packages no bundle contains: they read their own files at run time, so a layer the stack builds
 * provides them (playwright-core: ScheduledExports' PlaywrightLayer).
 */
export const LAYERED_MODULES = ['playwright-core'] as const;

/**
 * How every handler is bundled. Minified with the original function and class names kept
 * (`keepNames`), so a stack trace in the logs still reads `at writeReport (index.mjs:1:52310)`;
 * no source maps, which doubled each zip (exporter 801 KB → 1,668 KB), and no
 * `--enable-source-maps`, which slows every stack trace. The AWS SDK is bundled, pinned to the
 * version the tests ran against instead of whatever the runtime ships.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ESBUILD_TARGET,
  minify: true,
  keepNames: true,
  legalComments: 'none',
  mainFields: ['module', 'main'],
  external: [...LAYERED_MODULES],
  outExtension: { '.js': '.mjs' },
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);",
  },
  logLevel: 'error',
} as const satisfies BuildOptions;

export interface ServiceFunctionProps {
  /** Handler module under lambdas/handlers/ (handlerEntry), exporting `handler`. */
  readonly entry: string;
  /** Typed environment from lambdas/core/env/ (checked against Lambda's 4 KB limit at synth). */
  readonly environment: Readonly<Record<string, string>>;
  readonly description: string;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Scratch space under /tmp. @default Size.mebibytes(512) (Lambda's free tier of /tmp) */
  readonly ephemeralStorageSize?: Size;
  /** Caps concurrent executions. @default no reservation (the account pool) */
  readonly reservedConcurrentExecutions?: number;
  /** Lambda layers, e.g. a Chromium build for PDF reports. @default none */
  readonly layers?: lambda.ILayerVersion[];
  /** Log group removal when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Files written next to the handler in the code asset, by name (e.g. the function's config
   * slice). They are part of the bundle, so changing one changes the asset and updates the function.
   * @default none
   */
  readonly bundledFiles?: Readonly<Record<string, string>>;
}

/**
 * A Node.js Lambda whose code is its handler's bundle from the one local esbuild run of every
 * handler (handlerBundles; never Docker), as an ESM module, logging JSON lines to its own log
 * group with a fixed retention.
 */
export class ServiceFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  /** What `bundledFiles` put next to the handler, by file name. */
  readonly bundledFiles: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    assertEnvironmentSize(id, props.environment);
    this.bundledFiles = props.bundledFiles ?? {};
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: LOG_RETENTION,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose log permissions span every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new lambda.Function(this, 'Function', {
      role: this.role,
      code: lambda.Code.fromAsset(PROJECT_ROOT, {
        // The asset is named by the hash of what is deployed; stacks excluded from bundling
        // (`aws:cdk:bundling-stacks`) skip the build and get a placeholder hash instead.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never used: the local bundling below either succeeds or throws.
          image: DockerImage.fromRegistry('local-bundling-only'),
          local: new HandlerAsset(props.entry, this.bundledFiles),
        },
      }),
      handler: 'index.handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      timeout: props.timeout ?? Duration.minutes(1),
      memorySize: props.memorySize ?? 512,
      ephemeralStorageSize: props.ephemeralStorageSize ?? Size.mebibytes(512),
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      ...(props.layers ? { layers: props.layers } : {}),
      environment: { ...props.environment },
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
    });
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Pinned to nodejs22.x (LAMBDA_RUNTIME), the runtime the bundles are built (esbuild target node22) and tested for; moving on is a one-constant change.',
    );
  }

  /**
   * Asynchronous runs that still fail after `retryAttempts` retries are sent to `queue` (and, with
   * `onSuccess`, finished runs to that destination). The queue is encrypted with the lake key, and
   * binding it grants this role the KMS actions acknowledged here; `run` names what a message is.
   */
  sendFailedRunsTo(
    queue: sqs.IQueue,
    options: { readonly retryAttempts: number; readonly run: string; readonly onSuccess?: lambda.IDestination },
  ): void {
    this.function.configureAsyncInvoke({
      retryAttempts: options.retryAttempts,
      ...(options.onSuccess ? { onSuccess: options.onSuccess } : {}),
      onFailure: new destinations.SqsDestination(queue),
    });
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
      acknowledge(
        this.role,
        `AwsSolutions-IAM5[Action::${action}]`,
        `Granted by the Lambda on-failure destination on the lake key only, so a failed ${options.run} can be written to its encrypted dead-letter queue.`,
      );
    }
  }
}

/**
 * A function's code asset: its handler's `index.mjs` from handlerBundles, plus the bundled files.
 * The entry and the files are public fields because CDK keys its in-process asset cache on the
 * bundling options' JSON: two functions must never share one asset.
 */
class HandlerAsset implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly files: Readonly<Record<string, string>>,
  ) {
    for (const name of Object.keys(files)) {
      if (!/^[\w.-]+$/.test(name))
        throw new Error(`bundled file name ${JSON.stringify(name)} must be a plain file name`);
    }
  }

  tryBundle(outputDir: string): boolean {
    const bundles = handlerBundles(this.entry);
    copyFileSync(join(bundles, handlerName(this.entry), 'index.mjs'), join(outputDir, 'index.mjs'));
    for (const [name, content] of Object.entries(this.files)) writeFileSync(join(outputDir, name), content);
    return true;
  }
}

const handlerName = (entry: string): string => basename(entry).replace(/\.ts$/, '');

/** Bundle folders already built or found in this process, by build key. */
const builtThisRun = new Map<string, string>();

/**
 * Bundles every module of lambdas/handlers/ (plus `entry` if it lives elsewhere) in one esbuild
 * run and returns the folder holding `<module>/index.mjs` for each. One run parses the shared code once instead
 * of once per function. The result is cached under SYNTH_CACHE_DIR by a digest of every input
 * file the previous build read (from its metafile) plus package-lock.json, so a synth with no
 * change to the handlers' code reuses the bundles without running esbuild.
 */
export function handlerBundles(entry: string): string {
  const entries = Object.fromEntries(
    [...new Set([...handlerModules(), entry])].map((file) => [
      `${handlerName(file)}/index`,
      relative(PROJECT_ROOT, file),
    ]),
  );
  const buildKey = digest(JSON.stringify({ esbuildVersion, BUNDLE_OPTIONS, entries })).slice(0, 16);
  const known = builtThisRun.get(buildKey);
  if (known) return known;
  const cacheDir = join(SYNTH_CACHE_DIR, 'bundles');
  const manifest = join(cacheDir, `${buildKey}.inputs.json`);
  const cached = existsSync(manifest)
    ? inputsDigest(JSON.parse(readFileSync(manifest, 'utf8')) as string[])
    : undefined;
  const cachedDir = cached && join(cacheDir, `${buildKey}-${cached}`);
  if (cachedDir && existsSync(cachedDir)) {
    builtThisRun.set(buildKey, cachedDir);
    return cachedDir;
  }
  const building = join(cacheDir, `${buildKey}-building-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  const result = buildSync({
    ...BUNDLE_OPTIONS,
    entryPoints: entries,
    absWorkingDir: PROJECT_ROOT,
    outdir: building,
    metafile: true,
  });
  const inputs = Object.keys(result.metafile.inputs).filter((input) => existsSync(join(PROJECT_ROOT, input)));
  const built = join(cacheDir, `${buildKey}-${inputsDigest(inputs)}`);
  // Another synth may have finished the same build meanwhile: keep the first, identical one.
  if (existsSync(built)) rmSync(building, { recursive: true, force: true });
  else renameSync(building, built);
  const manifestTemp = `${manifest}.${process.pid}`;
  writeFileSync(manifestTemp, JSON.stringify(inputs));
  renameSync(manifestTemp, manifest);
  builtThisRun.set(buildKey, built);
  return built;
}

/** Digest of the files' paths and contents (and of package-lock.json); undefined if one is gone. */
function inputsDigest(inputs: readonly string[]): string | undefined {
  const hash = createHash('sha256');
  for (const input of [...inputs, 'package-lock.json'].sort()) {
    const file = join(PROJECT_ROOT, input);
    if (!existsSync(file)) return undefined;
    hash.update(input).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');
