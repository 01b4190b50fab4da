// Type-aware Pulumi mocks: computed outputs that the real providers would return.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { T } from "./types";

const short = (text: string) => crypto.createHash("sha256").update(text).digest("hex").slice(0, 8);

/** The value a mocked RandomPassword returns; tests scan for this prefix to find leaks. */
export const MOCK_PASSWORD_PREFIX = "mock-password-";

export class StackMocks implements pulumi.runtime.Mocks {
  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
    const inputs = args.inputs;
    const state: Record<string, any> = { ...inputs };
    switch (args.type) {
      case T.RandomPassword:
        state.result = `${MOCK_PASSWORD_PREFIX}${args.name}`;
        state.bcryptHash = `$2a$10$mock${short(args.name)}`;
        break;
      case T.PrivateKey:
        state.privateKeyPem = `-----BEGIN PRIVATE KEY-----\nmock-key-${args.name}\n-----END PRIVATE KEY-----\n`;
        state.privateKeyPemPkcs8 = `-----BEGIN PRIVATE KEY-----\nmock-pkcs8-key-${args.name}\n-----END PRIVATE KEY-----\n`;
        state.publicKeyPem = `-----BEGIN PUBLIC KEY-----\nmock-${args.name}\n-----END PUBLIC KEY-----\n`;
        break;
      case T.SelfSignedCert:
      case T.LocallySignedCert:
        state.certPem = `-----BEGIN CERTIFICATE-----\nmock-cert-${args.name}\n-----END CERTIFICATE-----\n`;
        state.validityEndTime = "2027-01-01T00:00:00Z";
        break;
      case T.CertRequest:
        state.certRequestPem = `-----BEGIN CERTIFICATE REQUEST-----\nmock-${args.name}\n-----END CERTIFICATE REQUEST-----\n`;
        break;
      case T.Release:
        state.name = inputs.name ?? `${args.name}-${short(args.name)}`;
        state.status = {
          name: state.name,
          namespace: inputs.namespace ?? "default",
          chart: inputs.chart,
          version: inputs.version,
          status: "deployed",
          revision: 1,
        };
        break;
      default:
        if (args.type.startsWith("kubernetes:") && args.custom && args.type !== T.KubernetesProvider) {
          // Autonaming: the provider adds a random suffix when metadata.name is unset.
          const metadata = { ...(inputs.metadata ?? {}) };
          metadata.name = metadata.name ?? `${args.name}-${short(JSON.stringify(inputs))}`;
          state.metadata = metadata;
        }
    }
    return { id: args.custom ? `${args.name}_id` : undefined, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    return args.inputs;
  }
}
