// `networkPolicy`: default deny in the namespace, then the flows the enabled components need.
import { z } from "zod";
import { bool, port } from "../../config/fields";

/** Private, link-local and CGNAT ranges: what the egress rules leave out of "anywhere" by default. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"];
/** RFC 1918: where API servers and nodes of kind, minikube, EKS and most on-premises clusters live. */
const CLUSTER_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

const labels = (of: string, byDefault: Record<string, string>) =>
  z.record(z.string(), z.string()).meta({ description: `Labels that select ${of}; {} = any.`, default: byDefault });
const controllerLabels = (of: string, byDefault: string) =>
  z
    .record(z.string(), z.string())
    .optional()
    .meta({ description: `Labels that select ${of}; {} = any; unset: ${byDefault}.` });
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/;
const cidr = z.string().refine((s) => IPV4_CIDR.test(s) || IPV6_CIDR.test(s), { error: "must be a CIDR such as 10.0.0.0/8" });
const cidrs = (description: string, byDefault: string[]) =>
  z.array(cidr).min(1, { error: "must list at least one CIDR (0.0.0.0/0 = anywhere)" }).meta({ description, default: byDefault });
const ports = (description: string, byDefault: number[]) =>
  z.array(port()).min(1, { error: "must list at least one port" }).meta({ description, default: byDefault });
const except = () =>
  z.array(cidr).meta({
    description: "Ranges cut out of cidrs (default: private, link-local and CGNAT ranges); entries outside cidrs are ignored.",
    default: PRIVATE_RANGES,
  });

export const networkPolicySchema = () =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Deny all traffic in the namespace, then allow exactly the stack's flows; false = no NetworkPolicies at all.",
        default: true,
      }),
      ingressController: z
        .strictObject({
          namespaceSelector: controllerLabels(
            "the controller's namespace",
            'its namespace (traefik: {"kubernetes.io/metadata.name": "traefik"})',
          ),
          podSelector: controllerLabels("the controller's pods", 'its pods\' labels (traefik: {"app.kubernetes.io/name": "traefik"})'),
        })
        .meta({
          description:
            "Where the controller of ingress.controller runs (Gateway or Ingress): the only source allowed to reach the API's http" +
            " port and the ACME HTTP-01 solver. Unset selectors come from the controller's usual install (docs/operations.md).",
        }),
      dns: z
        .strictObject({
          namespaceSelector: labels("the cluster DNS namespace", { "kubernetes.io/metadata.name": "kube-system" }),
          podSelector: labels("the cluster DNS pods", { "k8s-app": "kube-dns" }),
          port: port().meta({ description: "DNS port, allowed over UDP and TCP.", default: 53 }),
        })
        .meta({ description: "The cluster DNS, which every pod may query." }),
      kubernetesApi: z
        .strictObject({
          // A public API endpoint (some GKE and AKS clusters) is outside these ranges and must be added.
          cidrs: cidrs(
            "Address ranges of the API server endpoints; narrow them to yours" +
              " (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes).",
            CLUSTER_RANGES,
          ),
          ports: ports(
            "Endpoint ports of the API server: 6443 on kubeadm and kind, 8443 on minikube, 443 on some managed clusters.",
            [443, 6443, 8443],
          ),
        })
        .meta({
          description:
            "The Kubernetes API server as pods reach it after Service translation, for Prometheus, kube-state-metrics and" +
            " Grafana's sidecar.",
        }),
      kubelets: z
        .strictObject({
          cidrs: cidrs("Address ranges of the nodes.", CLUSTER_RANGES),
          ports: ports("Kubelet ports.", [10250]),
        })
        .meta({ description: "The kubelets on the nodes, which Prometheus scrapes directly (kubernetes-nodes and -cadvisor jobs)." }),
      apiEgress: z
        .strictObject({
          cidrs: cidrs("Destinations the API may call; 0.0.0.0/0 = anywhere.", ["0.0.0.0/0"]),
          except: except(),
          ports: ports("Destination ports (TCP).", [443]),
        })
        .meta({ description: "The API's calls to services outside the cluster, such as AI APIs." }),
      alertmanagerEgress: z
        .strictObject({
          cidrs: cidrs("Destinations Alertmanager may notify; 0.0.0.0/0 = anywhere.", ["0.0.0.0/0"]),
          except: except(),
          ports: ports("Destination ports (TCP).", [443]),
        })
        .meta({
          description:
            "Alertmanager's notifications (Slack, PagerDuty, webhook, e-mail); an e-mail receiver's smarthost port is allowed as well.",
        }),
      externalData: z.strictObject({ cidrs: cidrs("Address ranges of the external database and Redis.", ["0.0.0.0/0"]) }).meta({
        description:
          "Where the external PostgreSQL or Redis is (postgresql.enabled or redis.enabled false), reached by the API and Grafana.",
      }),
    })
    .meta({ description: "NetworkPolicies of the namespace: default deny, then the flows the enabled components need." });
export type NetworkPolicyConfig = z.infer<ReturnType<typeof networkPolicySchema>>;
