// The app domain (`ape:app`): the APE 2026 API workload.
export { Api, ApiArgs } from "./api";
export { API_NAME, API_PORT_NAMES, API_UID, apiLabels, apiSelectorLabels } from "./api.contract";
export { checksum, configData, credentialEnv, secretData } from "./api.build";
