export { ConfigValidationError } from "../config/errors";
export { loadStackConfig } from "./load";
export { defaults, isProduction, parseStackConfig, StackConfig } from "./config";
export { parseQuantity } from "../config/quantity";
export { parseDuration } from "../config/duration";
