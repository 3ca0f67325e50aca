// Validates rendered Kubernetes manifests against the API's OpenAPI schemas, offline, with kubernetes-models
// (built-in kinds) and its prometheus-operator and KEDA packages (ServiceMonitor, PrometheusRule, ScaledObject).
// Usage: node validate.mjs <manifests.json>  (a JSON array of objects; io.sfcache.deploy.HelmChartTest writes it
// from `helm template`). Prints one line `VALIDATION_RESULT {json}`: per object its kind, name and errors.
import { readFileSync } from 'node:fs';

// apiVersion -> the package module that holds its kinds.
function moduleFor(apiVersion) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  }
  if (apiVersion.startsWith('keda.sh/')) {
    return `@kubernetes-models/keda/${apiVersion}`;
  }
  return `kubernetes-models/${apiVersion}`;
}

const manifests = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = [];
for (const manifest of manifests) {
  const entry = { apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.metadata?.name, errors: [] };
  try {
    const models = await import(moduleFor(manifest.apiVersion));
    const Model = models[manifest.kind];
    if (!Model) {
      throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
    }
    new Model(manifest).validate();
  } catch (error) {
    entry.errors.push(error.errors ? JSON.stringify(error.errors) : String(error.message || error));
  }
  results.push(entry);
}
process.stdout.write('VALIDATION_RESULT ' + JSON.stringify(results) + '\n');
