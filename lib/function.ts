import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { assertEnvironmentSize } from '../lambdas/core/env/environment.ts';
import { acknowledge } from './nag.ts';

/** The one Lambda runtime of the stack; every function uses it. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;
/** esbuild target matching LAMBDA_RUNTIME. */
export const ESBUILD_TARGET = 'node22';
/** Lambda architecture: Graviton is cheaper per GB-second and runs the same JavaScript. */
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;
export const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

export interface ServiceFunctionProps {
  /** Handler module under lambdas/handlers/, exporting `handler`. */
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
  /**
   * Packages that cannot be bundled (they read their own files at run time), copied as they are
   * from the project's node_modules into the asset's node_modules, so synth stays offline.
   * @default none
   */
  readonly copiedModules?: readonly string[];
}

/**
 * A Node.js Lambda bundled locally by esbuild (never Docker) as an ESM module with source maps,
 * logging JSON lines to its own log group with a fixed retention.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  /** What `bundledFiles` put next to the handler, by file name. */
  readonly bundledFiles: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    assertEnvironmentSize(id, props.environment);
    this.bundledFiles = props.bundledFiles ?? {};
    const staged = stageFiles(this.bundledFiles);
    const copied = props.copiedModules ?? [];
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
    this.function = new NodejsFunction(this, 'Function', {
      role: this.role,
      entry: props.entry,
      handler: 'handler',
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
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup: this.logGroup,
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        forceDockerBundling: false,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        sourcesContent: false,
        minify: true,
        // Pin the SDK the tests ran against instead of whatever the runtime ships.
        bundleAwsSDK: true,
        externalModules: [...copied],
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
        banner:
          "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            ...staged.map(({ name, path }) => `cp ${shellQuote(path)} ${shellQuote(join(outputDir, name))}`),
            ...copied.flatMap((name) => [
              `mkdir -p ${shellQuote(join(outputDir, 'node_modules', dirname(name)))}`,
              `cp -R ${shellQuote(moduleDir(name))} ${shellQuote(join(outputDir, 'node_modules', name))}`,
            ]),
          ],
        },
      },
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

/** Writes the files to a fresh folder at synth time, for the bundling hook to copy into the asset. */
function stageFiles(files: Readonly<Record<string, string>>): { name: string; path: string }[] {
  const entries = Object.entries(files);
  if (entries.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'sb-bundled-'));
  return entries.map(([name, content]) => {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`bundled file name ${JSON.stringify(name)} must be a plain file name`);
    const path = join(dir, name);
    writeFileSync(path, content);
    return { name, path };
  });
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** The installed package folder of a dependency of this project. */
function moduleDir(name: string): string {
  return dirname(fileURLToPath(import.meta.resolve(`${name}/package.json`)));
}
