export { ConfigValidationError } from "../config/errors";
export { loadStackConfig } from "./load";
export { defaultsFor, isProduction, parseStackConfig, StackConfig } from "./config";
export { parseQuantity } from "../config/quantity";
export { parseDuration } from "../config/duration";
