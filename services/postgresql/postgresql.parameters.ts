// The postgresql.conf parameters `postgresql.primary.configuration` accepts, each checked the way
// PostgreSQL 17 reads it: its type, the units it takes and its range (pg_settings: vartype, unit,
// min_val, max_val, enumvals). A value PostgreSQL would refuse at start is refused here, at preview.
// Parameters not in this list go through `postgresql.primary.extraConfiguration`, unchecked.
// Parameters the chart or this program sets themselves are refused in both.

type Scalar = string | number | boolean;

/** Memory units (bytes each) and time units (milliseconds each), as PostgreSQL spells them. */
const MEMORY_UNITS: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** The base unit of an integer or real parameter (pg_settings.unit): what a bare number counts. */
type BaseUnit = "B" | "kB" | "8kB" | "MB" | "ms" | "s" | "min";
const BASE: Record<BaseUnit, { kind: "memory" | "time"; size: number }> = {
  B: { kind: "memory", size: 1 },
  kB: { kind: "memory", size: 1024 },
  "8kB": { kind: "memory", size: 8192 },
  MB: { kind: "memory", size: 1024 ** 2 },
  ms: { kind: "time", size: 1 },
  s: { kind: "time", size: 1000 },
  min: { kind: "time", size: 60_000 },
};

const INT_MAX = 2147483647;

type Parameter =
  | { readonly type: "bool" }
  | { readonly type: "integer" | "real"; readonly min: number; readonly max: number; readonly unit?: BaseUnit }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "string" }
  | { readonly type: "list"; readonly items: RegExp; readonly what: string };

const bool = (): Parameter => ({ type: "bool" });
const int = (min: number, max: number, unit?: BaseUnit): Parameter => ({ type: "integer", min, max, ...(unit ? { unit } : {}) });
const real = (min: number, max: number, unit?: BaseUnit): Parameter => ({ type: "real", min, max, ...(unit ? { unit } : {}) });
const oneOf = (...values: string[]): Parameter => ({ type: "enum", values });
const text = (): Parameter => ({ type: "string" });

/** The parameters `configuration` checks (PostgreSQL 17), with their type, unit and range. */
export const PARAMETERS: Readonly<Record<string, Parameter>> = {
  // Memory
  shared_buffers: int(16, 1073741823, "8kB"),
  effective_cache_size: int(1, INT_MAX, "8kB"),
  work_mem: int(64, INT_MAX, "kB"),
  maintenance_work_mem: int(1024, INT_MAX, "kB"),
  autovacuum_work_mem: int(-1, INT_MAX, "kB"),
  temp_buffers: int(100, 1073741823, "8kB"),
  huge_pages: oneOf("off", "on", "try"),
  temp_file_limit: int(-1, INT_MAX, "kB"),
  // Connections
  max_connections: int(1, 262143),
  superuser_reserved_connections: int(0, 262143),
  tcp_keepalives_idle: int(0, INT_MAX, "s"),
  tcp_keepalives_interval: int(0, INT_MAX, "s"),
  tcp_keepalives_count: int(0, INT_MAX),
  password_encryption: oneOf("md5", "scram-sha-256"),
  // Write-ahead log and checkpoints (fsync and full_page_writes off can lose committed data on a crash)
  fsync: bool(),
  full_page_writes: bool(),
  wal_buffers: int(-1, 262143, "8kB"),
  min_wal_size: int(2, INT_MAX, "MB"),
  max_wal_size: int(2, INT_MAX, "MB"),
  wal_keep_size: int(0, INT_MAX, "MB"),
  checkpoint_timeout: int(30, 86400, "s"),
  checkpoint_completion_target: real(0, 1),
  wal_compression: oneOf("pglz", "lz4", "zstd", "on", "off"),
  synchronous_commit: oneOf("local", "remote_write", "remote_apply", "on", "off"),
  commit_delay: int(0, 100000),
  max_wal_senders: int(0, 262143),
  max_replication_slots: int(0, 262143),
  hot_standby_feedback: bool(),
  max_standby_streaming_delay: int(-1, INT_MAX, "ms"),
  // Background writer
  bgwriter_delay: int(10, 10000, "ms"),
  bgwriter_lru_maxpages: int(0, 1073741823),
  bgwriter_lru_multiplier: real(0, 10),
  // Planner
  random_page_cost: real(0, Number.MAX_VALUE),
  seq_page_cost: real(0, Number.MAX_VALUE),
  cpu_tuple_cost: real(0, Number.MAX_VALUE),
  effective_io_concurrency: int(0, 1000),
  maintenance_io_concurrency: int(0, 1000),
  default_statistics_target: int(1, 10000),
  from_collapse_limit: int(1, INT_MAX),
  join_collapse_limit: int(1, INT_MAX),
  enable_partitionwise_join: bool(),
  enable_partitionwise_aggregate: bool(),
  jit: bool(),
  // Parallelism and workers
  max_worker_processes: int(0, 262143),
  max_parallel_workers: int(0, 1024),
  max_parallel_workers_per_gather: int(0, 1024),
  max_parallel_maintenance_workers: int(0, 1024),
  // Locks and transactions
  max_locks_per_transaction: int(10, INT_MAX),
  max_prepared_transactions: int(0, 262143),
  deadlock_timeout: int(1, INT_MAX, "ms"),
  statement_timeout: int(0, INT_MAX, "ms"),
  lock_timeout: int(0, INT_MAX, "ms"),
  idle_in_transaction_session_timeout: int(0, INT_MAX, "ms"),
  idle_session_timeout: int(0, INT_MAX, "ms"),
  transaction_timeout: int(0, INT_MAX, "ms"),
  default_transaction_isolation: oneOf("serializable", "repeatable read", "read committed", "read uncommitted"),
  // Autovacuum
  autovacuum: bool(),
  autovacuum_max_workers: int(1, 262143),
  autovacuum_naptime: int(1, 2147483, "s"),
  autovacuum_vacuum_scale_factor: real(0, 100),
  autovacuum_analyze_scale_factor: real(0, 100),
  autovacuum_vacuum_cost_limit: int(-1, 10000),
  autovacuum_vacuum_cost_delay: real(-1, 100, "ms"),
  vacuum_cost_limit: int(1, 10000),
  // Logging and statistics
  log_min_duration_statement: int(-1, INT_MAX, "ms"),
  log_autovacuum_min_duration: int(-1, INT_MAX, "ms"),
  log_statement: oneOf("none", "ddl", "mod", "all"),
  log_min_messages: oneOf("debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error", "log", "fatal", "panic"),
  log_error_verbosity: oneOf("terse", "default", "verbose"),
  log_connections: bool(),
  log_disconnections: bool(),
  log_lock_waits: bool(),
  log_checkpoints: bool(),
  log_temp_files: int(-1, INT_MAX, "kB"),
  log_line_prefix: text(),
  log_timezone: text(),
  timezone: text(),
  track_io_timing: bool(),
  track_functions: oneOf("none", "pl", "all"),
  track_activity_query_size: int(100, 1048576, "B"),
  // Libraries: the program's own (pgaudit, and timescaledb when on) are always kept; these are added.
  shared_preload_libraries: { type: "list", items: /^[a-z_][a-z0-9_]*$/, what: "library names such as pg_stat_statements" },
  // Extensions the images ship
  "timescaledb.max_background_workers": int(0, 1000),
  "timescaledb.telemetry_level": oneOf("off", "basic"),
  "pgaudit.log": {
    type: "list",
    items: /^-?(read|write|function|role|ddl|misc|misc_set|all|none)$/,
    what: "pgaudit classes: read, write, function, role, ddl, misc, misc_set, all or none (a leading - excludes one)",
  },
};

/**
 * Parameters the chart or this program sets and a stack must not: where the server listens and
 * keeps its files (the chart's), and the authentication it enforces.
 */
export const MANAGED_PARAMETERS: Readonly<Record<string, string>> = {
  listen_addresses: "the chart's: the server listens on every pod address",
  port: "the chart's: 5432, which the Services and NetworkPolicies use",
  data_directory: "the chart's: the data volume",
  hba_file: "the chart's: client authentication",
  ident_file: "the chart's: client authentication",
  config_file: "the chart's",
  unix_socket_directories: "the chart's",
  external_pid_file: "the chart's",
};

/** Parameters that lose committed data on a crash when off: production refuses off. */
export const CRASH_SAFETY = ["fsync", "full_page_writes"] as const;

const parameterValueHelp = (p: Parameter): string => {
  switch (p.type) {
    case "bool":
      return "on or off (true/false)";
    case "enum":
      return `one of ${p.values.join(", ")}`;
    case "string":
      return "a string";
    case "list":
      return `a comma-separated list of ${p.what}`;
    default: {
      if (!p.unit) return `${p.type === "integer" ? "an integer" : "a number"} from ${p.min} to ${showNumber(p.max)}`;
      const base = BASE[p.unit];
      const units = Object.keys(base.kind === "memory" ? MEMORY_UNITS : TIME_UNITS).join(", ");
      const example = base.kind === "memory" ? "512MB or 4GB" : "30s or 5min";
      const show = (v: number) => (v < 0 ? String(v) : showAmount(v * base.size, base.kind));
      return (
        `a ${base.kind === "memory" ? "size" : "duration"} such as ${example} (units ${units}; a bare number counts ${p.unit})` +
        ` from ${show(p.min)} to ${show(p.max)}`
      );
    }
  }
};

function showNumber(n: number): string {
  return n >= Number.MAX_VALUE ? "any" : String(n);
}

/** An amount in the largest unit it reaches, to two decimals (8192 B -> 8kB, 2^41 - 1024 B -> 2TB). */
function showAmount(amount: number, kind: "memory" | "time"): string {
  const units = Object.entries(kind === "memory" ? MEMORY_UNITS : TIME_UNITS).reverse();
  for (const [unit, size] of units) if (amount >= size) return `${Number((amount / size).toFixed(2))}${unit}`;
  return `${amount}${kind === "memory" ? "B" : "ms"}`;
}

/** A value with an optional unit, in the parameter's base unit; undefined when it does not parse. */
function inBaseUnit(value: Scalar, p: { unit?: BaseUnit; type: "integer" | "real" }): number | undefined {
  if (typeof value === "boolean") return undefined;
  if (typeof value === "number") return value;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const amount = Number(m[1]);
  if (m[2] === "") return amount;
  if (!p.unit) return undefined;
  const base = BASE[p.unit];
  const size = (base.kind === "memory" ? MEMORY_UNITS : TIME_UNITS)[m[2]];
  if (size === undefined) return undefined;
  // PostgreSQL rounds a value with a unit to its base unit.
  return Math.round((amount * size) / base.size);
}

const BOOL_WORDS = ["on", "off", "true", "false", "yes", "no", "1", "0"];

/** What is wrong with `value` for the parameter `name` in `configuration`, or undefined. */
export function parameterProblem(name: string, value: Scalar): string | undefined {
  const p = PARAMETERS[name];
  if (!p) return undefined;
  const must = `must be ${parameterValueHelp(p)}`;
  switch (p.type) {
    case "bool":
      return typeof value === "boolean" || BOOL_WORDS.includes(String(value).toLowerCase()) ? undefined : must;
    case "enum": {
      const word = typeof value === "boolean" ? (value ? "on" : "off") : String(value).toLowerCase();
      return p.values.includes(word) ? undefined : must;
    }
    case "string":
      return typeof value === "string" ? undefined : must;
    case "list":
      return typeof value === "string" &&
        value
          .split(",")
          .map((s) => s.trim())
          .every((s) => p.items.test(s))
        ? undefined
        : must;
    default: {
      // A value with a unit is rounded to the base unit first; a bare integer parameter takes integers only.
      const amount = inBaseUnit(value, p);
      if (amount === undefined || Number.isNaN(amount)) return must;
      if (p.type === "integer" && !Number.isInteger(amount)) return must;
      return amount < p.min || amount > p.max ? must : undefined;
    }
  }
}

/** The bytes a memory parameter's value stands for (shared_buffers: 128MB -> 134217728). */
export function parameterBytes(name: string, value: Scalar): number | undefined {
  const p = PARAMETERS[name];
  if (!p || (p.type !== "integer" && p.type !== "real") || !p.unit || BASE[p.unit].kind !== "memory") return undefined;
  const amount = inBaseUnit(value, p);
  return amount === undefined ? undefined : amount * BASE[p.unit].size;
}

/** The closest known parameter to a name that is not one (a typo: at most two edits), or undefined. */
export function closestParameter(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of Object.keys(PARAMETERS)) {
    const d = editDistance(name, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** The libraries the server preloads: the program's own first, then the configured ones, each once. */
export function preloadLibraries(own: readonly string[], configured: Scalar | undefined): string {
  const extra = typeof configured === "string" ? configured.split(",").map((s) => s.trim()) : [];
  return [...new Set([...own, ...extra.filter((s) => s !== "")])].join(",");
}
