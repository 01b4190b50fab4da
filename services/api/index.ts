// The API (`ape:app`): the APE 2026 workload, its settings, chart-free contract (name, ports,
// labels), builders and the traffic it accepts and makes.
export { checksum, configData, credentialEnv, envFrom, externalSecretSpec, reloaderAnnotations, secretData } from "./api.build";
export { API_NAME, API_PORT_NAMES, API_UID, apiLabels, apiSelectorLabels } from "./api.contract";
export { apiFlows, apiMetricsTarget } from "./api.flows";
export { apiSchema } from "./api.settings";
export { Api } from "./api";
