// `networkPolicy`: default deny in the namespace, then the flows the enabled components need.
import { z } from "zod";
import { bool, port } from "../../config/fields";

const labels = (of: string) => z.record(z.string(), z.string()).meta({ description: `Labels that select ${of}; {} = any.` });
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/;
const cidr = z.string().refine((s) => IPV4_CIDR.test(s) || IPV6_CIDR.test(s), { error: "must be a CIDR such as 10.0.0.0/8" });
const cidrs = (description: string) =>
  z.array(cidr).min(1, { error: "must list at least one CIDR (0.0.0.0/0 = anywhere)" }).meta({ description });
const ports = (description: string) => z.array(port()).min(1, { error: "must list at least one port" }).meta({ description });
const except = () =>
  z.array(cidr).meta({
    description: "Ranges cut out of cidrs (default: private, link-local and CGNAT ranges); entries outside cidrs are ignored.",
  });

export const networkPolicySchema = () =>
  z
    .strictObject({
      enabled: bool().meta({
        description: "Deny all traffic in the namespace, then allow exactly the stack's flows; false = no NetworkPolicies at all.",
      }),
      ingressController: z
        .strictObject({
          namespaceSelector: labels("the ingress controller's namespace"),
          podSelector: labels("the ingress controller's pods"),
        })
        .meta({ description: "Where ingress-nginx runs: the only source allowed to reach the API's http port." }),
      dns: z
        .strictObject({
          namespaceSelector: labels("the cluster DNS namespace"),
          podSelector: labels("the cluster DNS pods"),
          port: port().meta({ description: "DNS port, allowed over UDP and TCP." }),
        })
        .meta({ description: "The cluster DNS, which every pod may query." }),
      kubernetesApi: z
        .strictObject({
          cidrs: cidrs(
            "Address ranges of the API server endpoints; narrow them to yours" +
              " (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes).",
          ),
          ports: ports("Endpoint ports of the API server: 6443 on kubeadm and kind, 8443 on minikube, 443 on some managed clusters."),
        })
        .meta({
          description:
            "The Kubernetes API server as pods reach it after Service translation, for Prometheus, kube-state-metrics and" +
            " Grafana's sidecar.",
        }),
      kubelets: z
        .strictObject({
          cidrs: cidrs("Address ranges of the nodes."),
          ports: ports("Kubelet ports."),
        })
        .meta({ description: "The kubelets on the nodes, which Prometheus scrapes directly (kubernetes-nodes and -cadvisor jobs)." }),
      apiEgress: z
        .strictObject({
          cidrs: cidrs("Destinations the API may call; 0.0.0.0/0 = anywhere."),
          except: except(),
          ports: ports("Destination ports (TCP)."),
        })
        .meta({ description: "The API's calls to services outside the cluster, such as AI APIs." }),
      alertmanagerEgress: z
        .strictObject({
          cidrs: cidrs("Destinations Alertmanager may notify; 0.0.0.0/0 = anywhere."),
          except: except(),
          ports: ports("Destination ports (TCP)."),
        })
        .meta({
          description:
            "Alertmanager's notifications (Slack, PagerDuty, webhook, e-mail); an e-mail receiver's smarthost port is allowed as well.",
        }),
      externalData: z.strictObject({ cidrs: cidrs("Address ranges of the external database and Redis.") }).meta({
        description:
          "Where the external PostgreSQL or Redis is (postgresql.enabled or redis.enabled false), reached by the API and Grafana.",
      }),
    })
    .meta({ description: "NetworkPolicies of the namespace: default deny, then the flows the enabled components need." });
export type NetworkPolicyConfig = z.infer<ReturnType<typeof networkPolicySchema>>;

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"];
/** RFC 1918: where API servers and nodes of kind, minikube, EKS and most on-premises clusters live. */
const CLUSTER_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

export const networkPolicyDefaults = {
  enabled: true,
  ingressController: {
    namespaceSelector: { "kubernetes.io/metadata.name": "ingress-nginx" },
    podSelector: { "app.kubernetes.io/name": "ingress-nginx" },
  },
  dns: { namespaceSelector: { "kubernetes.io/metadata.name": "kube-system" }, podSelector: { "k8s-app": "kube-dns" }, port: 53 },
  // Narrow these to the API server endpoint (kubectl get endpointslices -n default -l
  // kubernetes.io/service-name=kubernetes) and the node CIDR; a public API endpoint (some GKE/AKS
  // clusters) must be added here.
  kubernetesApi: { cidrs: CLUSTER_RANGES, ports: [443, 6443, 8443] },
  kubelets: { cidrs: CLUSTER_RANGES, ports: [10250] },
  apiEgress: { cidrs: ["0.0.0.0/0"], except: PRIVATE_RANGES, ports: [443] },
  alertmanagerEgress: { cidrs: ["0.0.0.0/0"], except: PRIVATE_RANGES, ports: [443] },
  externalData: { cidrs: ["0.0.0.0/0"] },
};
