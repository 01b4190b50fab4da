export { ConfigValidationError } from "./errors";
export { loadStackConfig } from "./load";
export { defaults, isProduction, parseStackConfig, StackConfig } from "./schema";
export { parseQuantity } from "./quantity";
export { parseDuration } from "./duration";
