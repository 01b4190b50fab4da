// Type tokens of the resources the program registers, as the engine (and the recorded runs) name
// them. Every test and script reads them from here. tests/project/harness.spec.ts ("every type
// token is the one the SDK class ... registers") checks each token of a provider resource against
// the token its SDK class registers with, the provider's and this program's components' against the
// dev run, and the two CustomResources (ServiceMonitor, PrometheusRule) by their group and version
// only; so a typo fails once, there.

/** Resource type tokens by short name. */
export const T = {
  // Kubernetes objects
  Namespace: "kubernetes:core/v1:Namespace",
  ConfigMap: "kubernetes:core/v1:ConfigMap",
  Secret: "kubernetes:core/v1:Secret",
  Service: "kubernetes:core/v1:Service",
  ServiceAccount: "kubernetes:core/v1:ServiceAccount",
  ServiceAccountPatch: "kubernetes:core/v1:ServiceAccountPatch",
  PersistentVolumeClaim: "kubernetes:core/v1:PersistentVolumeClaim",
  Pod: "kubernetes:core/v1:Pod",
  Deployment: "kubernetes:apps/v1:Deployment",
  StatefulSet: "kubernetes:apps/v1:StatefulSet",
  CronJob: "kubernetes:batch/v1:CronJob",
  Job: "kubernetes:batch/v1:Job",
  HorizontalPodAutoscaler: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  PodDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  Ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  NetworkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ServiceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  PrometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  Release: "kubernetes:helm.sh/v3:Release",
  KubernetesProvider: "pulumi:providers:kubernetes",
  // random and tls
  RandomPassword: "random:index/randomPassword:RandomPassword",
  PrivateKey: "tls:index/privateKey:PrivateKey",
  SelfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
  CertRequest: "tls:index/certRequest:CertRequest",
  LocallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
  // this program's components
  Api: "ape:app:Api",
  Credentials: "ape:data:Credentials",
  Grafana: "ape:monitoring:Grafana",
} as const;
