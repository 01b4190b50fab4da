export { ConfigValidationError, ConfigProblem } from "./errors";
export { Environment } from "./fields";
export { loadStackConfig, projectSettings } from "./load";
export { defaults, defaultEnvironment, isProduction, parseStackConfig, StackConfig } from "./schema";
export { parseQuantity, sumQuantities } from "./quantity";
export { parseDuration } from "./duration";
