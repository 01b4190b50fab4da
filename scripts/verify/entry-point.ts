// The public entry point: an HTTPS GET of the stack's `url` output, trusting the stack's own CA
// (self-signed stacks: the caCertificate output) or the system CAs, and what its certificate says.
// probeEntryPoint does the request; entryPointCheck judges the result (pure, unit-tested).
import * as https from "https";
import * as net from "net";
import * as tls from "tls";
import { Check } from "./checks";

interface CertificateFacts {
  readonly subject: string;
  readonly subjectAltNames: string[];
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

export interface TlsProbe {
  readonly url: string;
  /** host:port the request went to (the URL's, or --entry-address). */
  readonly address: string;
  /** What the certificate was checked against: "the stack's CA (caCertificate output)", a file, or "the system CAs". */
  readonly trust: string;
  /** The request did not complete: refused, timed out, TLS handshake failed… */
  readonly error?: string;
  readonly status?: number;
  /** The chain verifies against `trust`. */
  readonly authorized?: boolean;
  readonly authorizationError?: string;
  /** The certificate does not cover the URL's host name. */
  readonly identityError?: string;
  readonly certificate?: CertificateFacts;
}

const dn = (o: Record<string, string | string[]> | undefined) =>
  Object.entries(o ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
    .join(", ");

/** GET `url` (to `address` instead of the URL's host when given, like curl --resolve), trusting `ca` or the system CAs. */
export function probeEntryPoint(
  url: string,
  options: { ca?: string; trust: string; address?: string; timeoutMs?: number },
): Promise<TlsProbe> {
  const u = new URL(url);
  const port = Number(u.port || 443);
  const [host, addressPort] = options.address ? splitAddress(options.address, port) : [u.hostname, port];
  const base = { url, address: `${host}:${addressPort}`, trust: options.trust };
  return new Promise((resolve) => {
    const req = https.request(
      {
        host,
        port: addressPort,
        // SNI carries host names only (RFC 6066).
        servername: net.isIP(u.hostname) ? undefined : u.hostname,
        path: `${u.pathname}${u.search}`,
        method: "GET",
        headers: { host: u.host, "user-agent": "ape-2026-verify" },
        ca: options.ca,
        // Judged below from the socket, so that an untrusted or wrong certificate is still described.
        rejectUnauthorized: false,
        // A fresh handshake each time: a resumed TLS session does not show the peer's certificate.
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const socket = res.socket as tls.TLSSocket;
        const cert = socket.getPeerCertificate();
        const identity = cert && Object.keys(cert).length > 0 ? tls.checkServerIdentity(u.hostname, cert) : undefined;
        res.resume();
        resolve({
          ...base,
          status: res.statusCode,
          authorized: socket.authorized,
          authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
          identityError: identity?.message,
          certificate:
            cert && Object.keys(cert).length > 0
              ? {
                  subject: dn(cert.subject as never),
                  subjectAltNames: (cert.subjectaltname ?? "").split(/,\s*/).filter(Boolean),
                  issuer: dn(cert.issuer as never),
                  validFrom: new Date(cert.valid_from).toISOString(),
                  validTo: new Date(cert.valid_to).toISOString(),
                  fingerprint256: cert.fingerprint256,
                }
              : undefined,
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${(options.timeoutMs ?? 10_000) / 1000} s`)));
    req.on("error", (e) => resolve({ ...base, error: e.message }));
    req.end();
  });
}

function splitAddress(address: string, defaultPort: number): [string, number] {
  const m = address.match(/^\[?([^\]]+?)\]?(?::(\d+))?$/);
  return m ? [m[1], m[2] ? Number(m[2]) : defaultPort] : [address, defaultPort];
}

/** Days before a certificate's expiry from which verify warns (cert-manager renews at 30 days left by default). */
const EXPIRY_WARNING_DAYS = 14;

/** The entry point answers over TLS with a certificate that chains to `trust`, covers the host and is in date. */
export function entryPointCheck(probe: TlsProbe | undefined, now: Date): Check {
  if (!probe) return { section: "entry", object: "url", status: "skip", summary: "the stack has no public entry point (no url output)" };
  const object = probe.url;
  const c = probe.certificate;
  const facts = { ...probe };
  const base = { section: "entry" as const, object, facts };
  if (probe.error) return { ...base, status: "fail", summary: `no answer from ${probe.address}: ${probe.error}` };
  const problems: string[] = [];
  if (!probe.authorized) problems.push(`certificate not trusted by ${probe.trust}: ${probe.authorizationError ?? "unknown reason"}`);
  if (probe.identityError) problems.push(probe.identityError);
  const daysLeft = c ? (Date.parse(c.validTo) - now.getTime()) / 86_400_000 : NaN;
  if (c && daysLeft < 0) problems.push(`certificate expired on ${c.validTo}`);
  if (c && Date.parse(c.validFrom) > now.getTime()) problems.push(`certificate not valid before ${c.validFrom}`);
  if (probe.status !== undefined && probe.status >= 500)
    problems.push(`HTTP ${probe.status} (the backend behind the entry point is not serving)`);
  const described = c
    ? `certificate ${c.subject || "(no subject)"}, SANs ${c.subjectAltNames.join(", ") || "none"}, issued by ${c.issuer}, ` +
      `valid until ${c.validTo} (${Math.floor(daysLeft)} days)`
    : "no certificate";
  if (problems.length > 0) return { ...base, status: "fail", summary: `HTTP ${probe.status}; ${problems.join("; ")}; ${described}` };
  const soon = daysLeft < EXPIRY_WARNING_DAYS;
  return {
    ...base,
    status: soon ? "warn" : "ok",
    summary: `HTTP ${probe.status} over TLS, trusted by ${probe.trust}; ${described}${soon ? "; expires soon" : ""}`,
  };
}
