// `prometheus.alertmanager.receivers`: where Alertmanager sends the stack's alerts (Slack, PagerDuty,
// e-mail, a webhook), routed by severity. The secret ones (URLs, keys, passwords) are stored encrypted.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { bool, nonEmpty } from "../../config/fields";

/** The severities the stack's alerts carry (alerts.build.ts); receivers are routed by them. */
const SEVERITIES = ["critical", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];

const RECEIVERS_PATH = "prometheus.alertmanager.receivers";

const secretUrl = () =>
  z
    .string({ error: "must be an http(s) URL" })
    .regex(/^https?:\/\/\S+$/, { error: "must be an http(s) URL" })
    .transform((url) => pulumi.secret(url));

const secretString = (what: string) => nonEmpty(what).transform((value) => pulumi.secret(value));

/** A secret receiver setting: what it is, and the command that stores it encrypted. */
const secretHelp = (path: string, what: string) => `${what} Secret: pulumi config set --secret --path ${RECEIVERS_PATH}.${path} <value>.`;

const severities = (fallback: readonly Severity[], who: string) =>
  z
    .array(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` }), { error: "must be a list of severities" })
    .min(1, { error: `must list at least one of ${SEVERITIES.join(", ")}; to stop notifying ${who}, remove its settings` })
    .default([...fallback])
    .meta({ description: `Severities of alerts sent to ${who} (${SEVERITIES.join(", ")}); default ${fallback.join(", ")}.` });

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+\.[^\s@,<>]+$/;
const emailAddress = () =>
  z.string({ error: "must be an e-mail address" }).regex(EMAIL, { error: "must be an e-mail address such as alerts@example.com" });
/** host:port of an SMTP server, as Alertmanager's smarthost (the port is required). */
const smarthost = () =>
  z
    .string({ error: "must be host:port of an SMTP server" })
    .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):\d{1,5}$/, {
      error: "must be host:port of an SMTP server, e.g. smtp.example.com:587",
    });

const emailReceiver = () =>
  z
    .strictObject({
      smarthost: smarthost().meta({ description: "SMTP server as host:port, e.g. smtp.example.com:587." }),
      from: emailAddress().meta({ description: "Sender address of the alert e-mails." }),
      to: z
        .array(emailAddress(), { error: "must be a list of e-mail addresses" })
        .min(1, { error: "must list at least one e-mail address" })
        .meta({ description: "Recipient addresses." }),
      authUsername: nonEmpty("an SMTP user name")
        .optional()
        .meta({ description: "SMTP user name (with authPassword); unset = no SMTP authentication." }),
      authPassword: secretString("an SMTP password")
        .optional()
        .meta({ description: secretHelp("email.authPassword", "SMTP password of authUsername."), secret: true }),
      requireTls: bool().default(true).meta({ description: "Refuse to send unless the server offers STARTTLS (default true)." }),
      severities: severities(SEVERITIES, "the e-mail recipients"),
    })
    .superRefine((email, ctx) => {
      // Alertmanager authenticates with both or neither.
      if ((email.authUsername === undefined) !== (email.authPassword === undefined)) {
        const missing = email.authUsername === undefined ? "authUsername" : "authPassword";
        ctx.addIssue({
          code: "custom",
          path: [missing],
          input: undefined,
          message: "must be set together with authUsername and authPassword",
        });
      }
    });

/** Receiver settings: one optional block per integration. */
export const receiversSchema = () =>
  z
    .strictObject({
      slack: z
        .strictObject({
          webhookUrl: secretUrl().meta({
            description: secretHelp("slack.webhookUrl", "Slack incoming-webhook URL alerts are posted to."),
            secret: true,
          }),
          channel: z
            .string({ error: "must be a Slack channel such as #alerts" })
            .optional()
            .meta({ description: "Slack channel to post to, e.g. #alerts; unset = the webhook's own channel." }),
          severities: severities(SEVERITIES, "Slack"),
        })
        .optional()
        .meta({ description: "Slack (incoming webhook)." }),
      pagerduty: z
        .strictObject({
          routingKey: secretString("a PagerDuty integration key").meta({
            description: secretHelp("pagerduty.routingKey", "Integration (routing) key of a PagerDuty Events API v2 integration."),
            secret: true,
          }),
          severities: severities(["critical"], "PagerDuty"),
        })
        .optional()
        .meta({ description: "PagerDuty (Events API v2): pages someone; by default for critical alerts only." }),
      email: emailReceiver().optional().meta({ description: "E-mail through an SMTP server." }),
      webhook: z
        .strictObject({
          url: secretUrl().meta({
            description: secretHelp("webhook.url", "URL every alert is POSTed to as JSON (Alertmanager webhook)."),
            secret: true,
          }),
          severities: severities(SEVERITIES, "the webhook"),
        })
        .optional()
        .meta({ description: "A generic webhook: Alertmanager's JSON payload, HTTP POST." }),
    })
    .meta({ description: "Where Alertmanager sends alerts, routed by severity; with none set it sends nothing." });
export type ReceiversConfig = z.infer<ReturnType<typeof receiversSchema>>;
/** The receiver integrations, in routing order. */
export const RECEIVER_KINDS = ["slack", "pagerduty", "email", "webhook"] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/** The keys that configure each receiver integration (its required settings). */
const RECEIVER_KEYS_TO_SET: Record<ReceiverKind, string> = {
  slack: `${RECEIVERS_PATH}.slack.webhookUrl (secret)`,
  pagerduty: `${RECEIVERS_PATH}.pagerduty.routingKey (secret)`,
  email: `${RECEIVERS_PATH}.email.smarthost, .from and .to`,
  webhook: `${RECEIVERS_PATH}.webhook.url (secret)`,
};

/**
 * Why the stack's alerts would reach no one, naming the keys to set; undefined when Alertmanager
 * has a receiver, or when this stack runs no Prometheus of its own (operator mode: the
 * operator's Alertmanager routes the alerts).
 */
export function alertsReachNoOne(prometheus: {
  enabled: boolean;
  alertmanager: { enabled: boolean; receivers: ReceiversConfig };
}): string | undefined {
  if (!prometheus.enabled) return undefined;
  const am = prometheus.alertmanager;
  const keys = RECEIVER_KINDS.map((kind) => RECEIVER_KEYS_TO_SET[kind]).join("; ");
  if (!am.enabled)
    return (
      "prometheus.alertmanager.enabled is false: alerts show only in Prometheus and notify no one;" +
      ` enable it and set a receiver: ${keys}`
    );
  if (RECEIVER_KINDS.some((kind) => am.receivers[kind] !== undefined)) return undefined;
  return `${RECEIVERS_PATH}: Alertmanager has no receiver, so alerts notify no one; set at least one: ${keys} (see docs/monitoring.md)`;
}
