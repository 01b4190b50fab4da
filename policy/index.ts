// The ape-2026 policy pack: `pulumi preview --policy-pack policy` (see docs/operations.md "The policy pack").
// The rules live in policies.ts so that tests load them without starting the analyzer server.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  description:
    "ape-2026 guard rails: non-root containers, resources, pinned images and charts, TLS, protected data," +
    " no secrets in ConfigMaps, no exposed Services.",
  enforcementLevel: "mandatory",
  policies,
});
