// Read-only database roles for the workloads that only read the application's data (Grafana): a
// login role with its own generated password, allowed to read every table the application user
// owns and nothing else. A Job runs the script below as `postgres` against the chart's server; it
// is idempotent (creates the role when missing, sets the password, grants again), so a new Job with
// a new password is how the password is rotated.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ChartImage } from "../../platform/images";
import type { TrustedCa } from "../../platform/internal-tls";
import { postgresqlRolesPodLabels } from "./postgresql.contract";

/**
 * The role script (bash + psql). Reads PGHOST, PGPORT, PGDATABASE, PGUSER and PGPASSWORD (the
 * superuser's) from the environment, and ROLE, OWNER and ROLE_PASSWORD. The values reach SQL only
 * as psql variables (:'x' a quoted literal, :"x" a quoted identifier), never spliced into the text.
 * The statements that carry the password are kept out of the server log for this session
 * (log_statement, log_min_duration_statement and pgaudit.log; the session runs as a superuser).
 *
 * The role: LOGIN, nothing else (no superuser, no CREATEDB/CREATEROLE, no replication, no RLS
 * bypass); every transaction read-only by default; USAGE on `public` and on every schema OWNER
 * owns, SELECT on every table and view in them; the same for the tables and schemas OWNER creates
 * later (default privileges). PostgreSQL 15+ gives PUBLIC no CREATE on `public`, so it can write
 * nowhere but its own temporary tables.
 */
export function readOnlyRoleScript(): string {
  return [
    "set -euo pipefail",
    "# The release is Ready before this runs; a restart of the server may still be in progress.",
    "for _ in $(seq 1 30); do pg_isready --quiet && break; sleep 2; done",
    'psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 -v role="$ROLE" -v owner="$OWNER" -v password="$ROLE_PASSWORD" <<\'SQL\'',
    "SET log_statement = 'none';",
    "SET log_min_duration_statement = -1;",
    "SET pgaudit.log = 'none';",
    "SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \\gexec",
    "ALTER ROLE :\"role\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';",
    'ALTER ROLE :"role" SET default_transaction_read_only = on;',
    'GRANT CONNECT ON DATABASE :"DBNAME" TO :"role";',
    "SELECT format('GRANT USAGE ON SCHEMA %I TO %I', nspname, :'role') FROM pg_namespace",
    "  WHERE nspname = 'public' OR nspowner = :'owner'::regrole \\gexec",
    "SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO %I', nspname, :'role') FROM pg_namespace",
    "  WHERE nspname = 'public' OR nspowner = :'owner'::regrole \\gexec",
    'ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE ON SCHEMAS TO :"role";',
    'ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT SELECT ON TABLES TO :"role";',
    "SQL",
    'echo "role $ROLE: password set; reads the tables of $OWNER in $PGDATABASE"',
    "",
  ].join("\n");
}

/** A key of a Secret in the namespace. */
interface SecretKey {
  readonly name: pulumi.Input<string>;
  readonly key: string;
}

export interface RoleJobArgs {
  /** The role to create or update. */
  readonly role: string;
  /** Whose tables it reads (the application user, owner of the application database). */
  readonly owner: string;
  /** The server's Service host, its port and the application database. */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly database: string;
  /** The superuser's password (the chart's credentials Secret). */
  readonly adminPassword: SecretKey;
  /** The role's generated password. */
  readonly rolePassword: SecretKey;
  /** The CA to verify the server with (internalTls); undefined: plain text. */
  readonly tls?: TrustedCa;
  /** The server's image: its psql matches the server. */
  readonly image: ChartImage;
  readonly imagePullSecrets: readonly string[];
}

/** registry/repository:tag, or @digest, of a chart image value. */
function imageReference(image: ChartImage): string {
  const repository = image.registry ? `${image.registry.replace(/\/+$/, "")}/${image.repository}` : image.repository;
  if (image.digest) return `${repository}@${image.digest}`;
  return image.tag ? `${repository}:${image.tag}` : repository;
}

/** The CA ConfigMap's volume and where the Job mounts it. */
const CA_VOLUME = "internal-ca";
const CA_DIR = "/etc/ape-2026/ca";

/** Bitnami images run as uid/gid 1001. */
const BITNAMI_UID = 1001;

/**
 * The Job that applies the role. No retries beyond four pods and ten minutes in all: a failure
 * shows in `pulumi up` (it waits for the Job) with the pods' logs kept. It mounts no token, runs
 * under the restricted Pod Security level and is bounded in memory and disk.
 */
export function readOnlyRoleJobSpec(args: RoleJobArgs): k8s.types.input.batch.v1.JobSpec {
  const fromSecret = (s: SecretKey) => ({ secretKeyRef: { name: s.name, key: s.key } });
  return {
    backoffLimit: 3,
    activeDeadlineSeconds: 600,
    template: {
      metadata: { labels: postgresqlRolesPodLabels() },
      spec: {
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        ...(args.imagePullSecrets.length > 0 ? { imagePullSecrets: args.imagePullSecrets.map((name) => ({ name })) } : {}),
        securityContext: {
          runAsNonRoot: true,
          runAsUser: BITNAMI_UID,
          runAsGroup: BITNAMI_UID,
          seccompProfile: { type: "RuntimeDefault" },
        },
        containers: [
          {
            name: "roles",
            image: imageReference(args.image),
            imagePullPolicy: "IfNotPresent",
            command: ["/bin/bash", "-c", readOnlyRoleScript()],
            env: [
              { name: "PGHOST", value: args.host },
              { name: "PGPORT", value: String(args.port) },
              { name: "PGDATABASE", value: args.database },
              { name: "PGUSER", value: "postgres" },
              { name: "PGCONNECT_TIMEOUT", value: "10" },
              { name: "PGPASSWORD", valueFrom: fromSecret(args.adminPassword) },
              { name: "ROLE", value: args.role },
              { name: "OWNER", value: args.owner },
              { name: "ROLE_PASSWORD", valueFrom: fromSecret(args.rolePassword) },
              ...(args.tls
                ? [
                    { name: "PGSSLMODE", value: "verify-full" },
                    { name: "PGSSLROOTCERT", value: `${CA_DIR}/${args.tls.key}` },
                  ]
                : []),
            ],
            ...(args.tls ? { volumeMounts: [{ name: CA_VOLUME, mountPath: CA_DIR, readOnly: true }] } : {}),
            resources: {
              requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "16Mi" },
              limits: { cpu: "500m", memory: "128Mi", "ephemeral-storage": "64Mi" },
            },
            securityContext: {
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"] },
            },
          },
        ],
        ...(args.tls ? { volumes: [{ name: CA_VOLUME, configMap: { name: args.tls.configMap } }] } : {}),
      },
    },
  };
}
