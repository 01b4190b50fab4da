// The API's Deployment as its pure builder makes it for a stack and a setting, without evaluating
// the program (tests/api/api.spec.ts shows that the builder's output is what the Api component registers).
import { API_NAME } from "../../services/api";
import { deploymentSpec, PodRefs } from "../../services/api/api.build";
import { loadConfig } from "./config";

/** Names the pod template refers to, as the component would pass them; none of them depends on the settings under test. */
export const PLACEHOLDER_REFS: PodRefs = {
  serviceAccountName: API_NAME,
  configMapName: "api-config",
  configChecksum: "",
  credentialEnv: [],
  trust: [],
};

/** The Deployment spec for `stack` with `set` applied like `pulumi config set --path`. */
export const builtDeployment = (stack: string, set: Record<string, unknown> = {}, refs: PodRefs = PLACEHOLDER_REFS): any =>
  deploymentSpec(loadConfig(stack, set).api, refs);

/** The API container of that Deployment. */
export const builtContainer = (stack: string, set: Record<string, unknown> = {}): any =>
  builtDeployment(stack, set).template.spec.containers[0];
