// Plumbing every domain shares: labels, resource options, generated credentials, chart releases,
// image references and volume values.
export { passwordArgs } from "./credentials";
export { ChartServiceArgs } from "./release";
export { mirrorRepository } from "./images";
