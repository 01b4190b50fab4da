// Throw-away PostgreSQL servers on this machine (Debian's server binaries, run as the postgres
// user since initdb refuses root), for the specs that run the program's SQL and shell scripts
// against a real server: the backup and restore scripts, the read-only role script.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** The newest server binaries installed, or undefined (the specs then skip, saying why). */
export const PG_BIN = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"].find((d) =>
  fs.existsSync(path.join(d, "initdb")),
);

/** Why no server can be started here, or undefined. */
export function localPostgresMissing(): string | undefined {
  if (!PG_BIN) return "PostgreSQL server binaries missing (apt-get install postgresql)";
  if (spawnSync("id", ["postgres"]).status !== 0) return "no postgres user (apt-get install postgresql)";
  return undefined;
}

export interface Server {
  readonly dir: string;
  readonly port: number;
}

const freePort = (): number =>
  Number(
    execFileSync(process.execPath, [
      "-e",
      'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})',
    ]).toString(),
  );

/** Runs a PostgreSQL binary as the postgres user (initdb refuses root). */
function asPostgres(bin: string, args: string[]): string {
  return execFileSync("runuser", ["-u", "postgres", "--", path.join(PG_BIN!, bin), ...args], { encoding: "utf8" });
}

/** A new server in `root`/`name` on a free port of 127.0.0.1, superuser postgres with the password in `passwordFile`. */
export function startServer(root: string, name: string, passwordFile: string): Server {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { mode: 0o700 });
  execFileSync("chown", ["postgres:postgres", dir]);
  asPostgres("initdb", ["-D", dir, "-U", "postgres", `--pwfile=${passwordFile}`, "-A", "scram-sha-256", "--no-sync"]);
  const server = { dir, port: freePort() };
  resumeServer(server);
  return server;
}

/** Starts a stopped server again, on its port. */
export function resumeServer({ dir, port }: Server): void {
  asPostgres("pg_ctl", [
    "-D",
    dir,
    "-w",
    "-l",
    path.join(dir, "server.log"),
    "-o",
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir}`,
    "start",
  ]);
}

export function stopServer(server: Server | undefined): void {
  if (server) spawnSync("runuser", ["-u", "postgres", "--", path.join(PG_BIN!, "pg_ctl"), "-D", server.dir, "-m", "immediate", "stop"]);
}
