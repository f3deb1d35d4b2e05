/**
 * The CDK app: one stack from the same config file the CLI reads. `npx cdk synth` works offline
 * with no credentials; cdk-nag's AwsSolutions checks run on every synth and fail it on any
 * unacknowledged finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { appSettings } from '../lib/app-settings.ts';
import { ServiceBenchStack } from '../lib/servicebench-stack.ts';

const app = new App();
const settings = appSettings((key) => app.node.tryGetContext(key));
if (settings.usingExample) {
  process.stderr.write(
    `note: no servicebench.config.json here; synthesising the shipped example ${settings.configFile}\n`,
  );
}
new ServiceBenchStack(app, settings.stackName, {
  description: 'ServiceBench: customer-service scoring and benchmarking (landing, normalise, Athena views, reports)',
  config: settings.config,
  allowDestroy: settings.allowDestroy,
  ...(settings.chromiumLayerArn ? { chromiumLayerArn: settings.chromiumLayerArn } : {}),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
