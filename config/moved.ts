// Retired config keys and the key that replaces each: setting a retired key is refused with a
// message naming its replacement (and how to store it), instead of a bare "not a known key".

export interface MovedKey {
  /** The key to set instead. */
  readonly to: string;
  /** Whether the value is a secret (never echoed; stored with --secret). */
  readonly secret: boolean;
}

const RECEIVERS = "prometheus.alertmanager.receivers";

export const MOVED_KEYS: Readonly<Record<string, MovedKey>> = {
  [`${RECEIVERS}.slackWebhookUrl`]: { to: `${RECEIVERS}.slack.webhookUrl`, secret: true },
  [`${RECEIVERS}.slackChannel`]: { to: `${RECEIVERS}.slack.channel`, secret: false },
  [`${RECEIVERS}.webhookUrl`]: { to: `${RECEIVERS}.webhook.url`, secret: true },
  // The issuer may be an Issuer too since the Gateway API entry point (ingress.tls.issuer.kind).
  "ingress.tls.clusterIssuer": { to: "ingress.tls.issuer.name", secret: false },
};

/** The message for a retired key: what replaces it and the commands that move it. */
export function movedKeyMessage(path: string, moved: MovedKey): string {
  const set = `pulumi config set${moved.secret ? " --secret" : ""} --path '${moved.to}' <value>`;
  return `is replaced by ${moved.to}: ${set}, then pulumi config rm --path '${path}'`;
}
