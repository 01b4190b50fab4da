// The app domain (`ape:app`): the APE 2026 API workload.
export { Api } from "./api";
export { API_NAME, API_PORT_NAMES, API_UID, apiLabels, apiSelectorLabels } from "./api.contract";
export { checksum, configData, credentialEnv, envFrom, externalSecretSpec, reloaderAnnotations, secretData } from "./api.build";
