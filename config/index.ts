export { ConfigValidationError, ConfigProblem } from "./errors";
export { Environment } from "./fields";
export { loadStackConfig, projectSettings } from "./load";
export { defaults, defaultEnvironment, parseStackConfig, StackConfig } from "./schema";
export { parseQuantity, sumQuantities } from "./quantity";
export { parseDuration } from "./duration";

import { StackConfig } from "./schema";
/** True for the production environment (protected stateful resources, pinned images). */
export const isProduction = (config: Pick<StackConfig, "environment">): boolean => config.environment === "production";
