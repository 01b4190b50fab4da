// Plumbing every domain shares: labels, resource options, generated credentials, chart releases,
// image references and volume values.
export { MANAGED_BY, PART_OF, selectorLabels, stackLabels, standardLabels } from "./labels";
export { statefulOptions } from "./options";
export { Credentials, CredentialsOrigin, passwordArgs } from "./credentials";
export { ChartServiceArgs, DATA_RELEASE, MONITORING_RELEASE, PinnedChart, pinnedChart, releaseArgs, ReleaseSettings } from "./release";
export { ChartImage, chartImage, imageRegistry, mirrorRepository, pullSecretNames, pullSecretRefs } from "./images";
export { volumeValues } from "./persistence";
