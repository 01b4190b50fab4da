// Grafana reads the database through its own read-only role: a generated password in its own
// Secret, a Job that applies role, password and grants as the superuser after the release is
// Ready, Grafana's data source on that role (waiting for the Job), and the NetworkPolicies that let
// the Job, and nothing else new, reach the server. The script itself runs against a real
// PostgreSQL in testbed/e2e/roles.e2e.ts.
import * as assert from "assert";
import { POSTGRESQL, postgresqlServiceName } from "../../services/postgresql";
import { GRAFANA } from "../../services/grafana";
import { readOnlyRoleScript } from "../../services/postgresql/roles.build";
import { allows, Endpoint, NetworkPolicy } from "../../scripts/verify/network-policy";
import { ProgramRun, runProgram } from "../../testbed/harness/program";
import { T } from "../../testbed/harness/types";
import { EXTERNAL_DATA } from "../../testbed/harness/variants";

const job = (run: ProgramRun) => run.get(T.Job, "postgresql-role-grafana");
const roleSecret = (run: ProgramRun) => run.get(T.Secret, "postgresql-role-grafana-auth");

describe("postgresql: Grafana's read-only role", () => {
  let prod: ProgramRun;
  let dev: ProgramRun;
  before(async () => {
    prod = await runProgram("production");
    dev = await runProgram("dev");
  });

  it("a generated password in its own Secret, beside the role's name", () => {
    for (const run of [dev, prod]) {
      const secret = roleSecret(run);
      assert.strictEqual(secret.inputs.stringData.username, GRAFANA.databaseRole);
      assert.ok(
        secret.secretPaths.some((p) => p === "stringData" || p === "stringData.password"),
        "the password is a Pulumi secret",
      );
      assert.ok(!secret.inputs.metadata.name, "auto-named: a new password replaces it under a new name, which rolls its readers");
      const password = run.get(T.RandomPassword, "postgresql-role-grafana-password");
      assert.ok(password.inputs.length >= 24 && password.inputs.keepers === undefined);
    }
  });

  it("the Job applies it as the superuser, after the release, in the server's own image, under restricted Pod Security", () => {
    const j = job(prod);
    assert.ok(j.dependencies.includes(prod.get(T.Release, "postgresql").urn), "runs once the server is Ready");
    const pod = j.inputs.spec.template.spec;
    const c = pod.containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    assert.deepStrictEqual(env.PGPASSWORD, { secretKeyRef: { name: POSTGRESQL.secret.name, key: POSTGRESQL.secret.keys.admin } });
    assert.strictEqual(env.PGUSER, "postgres");
    assert.strictEqual(env.PGHOST, `${postgresqlServiceName("standalone")}.ape-2026.svc.cluster.local`);
    assert.strictEqual(env.PGDATABASE, "ape_timeseries");
    assert.deepStrictEqual([env.ROLE, env.OWNER], [GRAFANA.databaseRole, "ape"]);
    assert.deepStrictEqual(env.ROLE_PASSWORD.secretKeyRef.key, "password");
    const image = prod.get(T.Release, "postgresql").inputs.values.image;
    assert.strictEqual(c.image, `${image.registry}/${image.repository}:${image.tag}`, "psql of the server's own version");
    assert.strictEqual(pod.automountServiceAccountToken, false);
    assert.strictEqual(pod.restartPolicy, "Never");
    assert.strictEqual(pod.securityContext.runAsNonRoot, true);
    assert.deepStrictEqual(c.securityContext, {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    assert.ok(c.resources.limits.memory && c.resources.limits["ephemeral-storage"] && c.resources.requests["ephemeral-storage"]);
    assert.ok(j.inputs.spec.backoffLimit <= 4 && j.inputs.spec.activeDeadlineSeconds > 0, "fails visibly instead of retrying forever");
  });

  it("Grafana's data source logs in as the role, and its release waits for the Job", () => {
    for (const run of [dev, prod]) {
      const values = run.get(T.Release, "grafana").inputs.values;
      const pg = values.datasources["datasources.yaml"].datasources.find((s: any) => s.type === "grafana-postgresql-datasource");
      assert.strictEqual(pg.user, GRAFANA.databaseRole);
      const ref = values.envValueFrom.TIMESCALEDB_PASSWORD.secretKeyRef;
      assert.strictEqual(ref.key, "password");
      assert.notStrictEqual(ref.name, POSTGRESQL.secret.name, "not the Secret with the API's password");
      assert.ok(run.get(T.Release, "grafana").dependencies.includes(job(run).urn), `${run.stack}: Grafana waits for the role`);
    }
  });

  it("the script passes every value as a psql variable and grants reading only", () => {
    const script = readOnlyRoleScript();
    // A quoted here-document: the shell expands nothing in it, and it mentions no shell variable.
    const sql = script.slice(script.indexOf("<<'SQL'\n") + 8, script.indexOf("\nSQL\n"));
    assert.ok(sql.length > 100 && !sql.includes("$"), "no value is spliced into the SQL text");
    assert.match(script, /-v role="\$ROLE" -v owner="\$OWNER" -v password="\$ROLE_PASSWORD"/);
    assert.match(script, /PASSWORD :'password'/);
    assert.match(script, /NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS/);
    assert.match(script, /default_transaction_read_only = on/);
    assert.match(script, /GRANT SELECT ON ALL TABLES/);
    assert.match(script, /ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT SELECT ON TABLES/);
    assert.doesNotMatch(script, /GRANT (ALL|INSERT|UPDATE|DELETE|TRUNCATE|CREATE)/);
    assert.match(script, /SET log_statement = 'none'/, "the password stays out of the server log");
  });

  it("the Job reaches the server on 5432; the server admits it; it reaches nothing else", () => {
    const policies: NetworkPolicy[] = prod
      .ofType(T.NetworkPolicy)
      .map((r) => ({ namespace: "ape-2026", name: r.inputs.metadata.name, spec: r.inputs.spec }));
    const ns = { namespace: "ape-2026", namespaceLabels: { "kubernetes.io/metadata.name": "ape-2026" } };
    const roles: Endpoint = { name: "role job", ...ns, labels: job(prod).inputs.spec.template.metadata.labels, ip: "10.244.4.1" };
    const server: Endpoint = {
      name: "primary",
      ...ns,
      labels: { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "postgresql" },
      ip: "10.244.4.2",
    };
    const redis: Endpoint = {
      name: "redis",
      ...ns,
      labels: { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "redis" },
      ip: "10.244.4.3",
    };
    const internet: Endpoint = { name: "internet", ip: "104.18.32.47" };
    assert.strictEqual(allows(policies, roles, server, 5432, "TCP"), true);
    assert.strictEqual(allows(policies, roles, redis, 6379, "TCP"), false);
    assert.strictEqual(allows(policies, roles, internet, 443, "TCP"), false);
    assert.strictEqual(allows(policies, server, roles, 5432, "TCP"), false, "nothing connects to the Job");
  });

  it("an external database or no Grafana: no role, no Job (Grafana then uses the configured external user)", async () => {
    const external = await runProgram("production", EXTERNAL_DATA);
    assert.deepStrictEqual(external.ofType(T.Job), []);
    const noGrafana = await runProgram("dev", { set: { "grafana.enabled": false } });
    assert.deepStrictEqual(noGrafana.ofType(T.Job), []);
    assert.ok(!noGrafana.ofType(T.Secret).some((s) => s.name === "postgresql-role-grafana-auth"));
  });
});
