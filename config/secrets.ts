// Config paths whose values are secrets: they are never echoed in errors and must be stored
// encrypted (`pulumi config set --secret --path ...`).

/** Path prefixes of secret values (a map: every entry below is secret). */
export const SECRET_PATHS: readonly string[] = [
  "api.secrets",
  "prometheus.alertmanager.receivers.slack.webhookUrl",
  "prometheus.alertmanager.receivers.pagerduty.routingKey",
  "prometheus.alertmanager.receivers.email.authPassword",
  "prometheus.alertmanager.receivers.webhook.url",
];

export function isSecretPath(path: string): boolean {
  return SECRET_PATHS.some((p) => path === p || path.startsWith(p + "."));
}
