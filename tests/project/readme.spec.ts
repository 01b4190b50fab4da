import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The README's line budget: it introduces the project; the details live in docs/. */
const README_MAX_LINES = 250;

/** Generated from the config schema by another step; may be absent in a checkout that predates it. */
const GENERATED_DOCS = new Set(["docs/configuration.md"]);

/** The hand-written Markdown files whose links are checked (paths relative to the repository root). */
function markdownFiles(): string[] {
  const docs = fs.existsSync(path.join(ROOT, "docs"))
    ? fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`)
    : [];
  return ["README.md", "CONTRIBUTING.md", ...docs].filter((f) => !GENERATED_DOCS.has(f));
}

/** Markdown text without fenced code blocks and inline code, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** Inline link targets: [text](target). */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const headings = markdown.replace(/^```[\s\S]*?^```/gm, "").match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((h) => anchor(h.replace(/^#+ /, ""))));
}

/** Problems with the relative links of one Markdown file (`text` at `file`): missing files or headings. */
function brokenLinks(file: string, text = fs.readFileSync(path.join(ROOT, file), "utf8")): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [filePart, fragment] = target.split("#");
    const resolved = filePart === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), filePart));
    if (GENERATED_DOCS.has(resolved)) continue;
    const absolute = path.join(ROOT, resolved);
    if (!fs.existsSync(absolute)) {
      problems.push(`${file}: ${target} (no file ${resolved})`);
      continue;
    }
    if (fragment && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(absolute, "utf8")).has(fragment)) {
      problems.push(`${file}: ${target} (no heading #${fragment} in ${resolved})`);
    }
  }
  return problems;
}

describe("README", () => {
  it("starts with the two set-up commands: deploy the dev stack, and install + pass the tests", () => {
    const firstBlock = readme
      .slice(readme.indexOf("```sh") + 5, readme.indexOf("```", readme.indexOf("```sh") + 5))
      .trim()
      .split("\n");
    assert.match(firstBlock[0], /^npm ci && npm run deploy:dev\b/);
    assert.match(firstBlock[1], /^npm ci && npm test\b/);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    assert.ok(pkg.scripts["deploy:dev"] && pkg.scripts.test, "both npm scripts exist");
  });

  it(`stays within ${README_MAX_LINES} lines`, () => {
    const lines = readme.split("\n").length - (readme.endsWith("\n") ? 1 : 0);
    assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines; move details to docs/`);
  });

  it("names the Gateway API CRDs and Traefik as prerequisites of `npm run deploy:dev` (cert-manager for production), with the way to turn the entry point off", () => {
    const start = readme.indexOf("## Prerequisites");
    assert.ok(start >= 0, "README.md has a Prerequisites section");
    const end = readme.indexOf("\n## ", start + 1);
    const prerequisites = readme.slice(start, end < 0 ? undefined : end);
    assert.match(prerequisites, /Gateway API CRDs and Traefik[^\n]*before `npm run deploy:dev`/);
    assert.match(prerequisites, /cert-manager/);
    assert.match(prerequisites, /pulumi config set --path ingress\.enabled false/);
  });

  it("no README or doc tells a user to install ingress-nginx (retired in March 2026)", () => {
    const installs = [
      /\binstall(?:s|ed|ing)? (?:the )?ingress-nginx\b/i,
      /minikube addons enable ingress\b/,
      /ingress-nginx\/[^\s]*deploy\.yaml/,
      /helm (?:upgrade --install|install) [^\n]*ingress-nginx/,
    ];
    const found = markdownFiles().flatMap((file) => {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      return installs.filter((re) => re.test(text)).map((re) => `${file}: ${re}`);
    });
    assert.deepStrictEqual(found, []);
  });

  it("names the backend variables that every later pulumi command needs", () => {
    const script = fs.readFileSync(path.join(ROOT, "scripts", "deploy-dev.sh"), "utf8");
    for (const variable of ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"]) {
      assert.match(script, new RegExp(`export ${variable}=`), `deploy-dev.sh sets ${variable}`);
      assert.match(readme, new RegExp(`export [^\\n]*${variable}=`), `README.md shows how to export ${variable}`);
    }
  });

  it("links the configuration reference and every hand-written doc", () => {
    const targets = new Set(linkTargets(readme).map((t) => t.split("#")[0]));
    for (const doc of ["docs/configuration.md", "docs/operations.md", "docs/api-image.md", "docs/monitoring.md", "CONTRIBUTING.md"]) {
      assert.ok(targets.has(doc), `README.md links ${doc}`);
    }
  });
});

describe("Markdown links", () => {
  it("every relative link in README.md, CONTRIBUTING.md and docs/*.md points to an existing file and heading", () => {
    const files = markdownFiles();
    assert.ok(files.length >= 5, `the docs are found (${files.join(", ")})`);
    const problems = files.flatMap((file) => brokenLinks(file));
    assert.deepStrictEqual(problems, []);
  });

  it("the link check catches a missing file and a missing heading, and ignores code and web links", () => {
    const probe = "[a](nowhere.md) [b](../README.md#no-such-heading) [c](https://example.com) [d](../README.md#prerequisites) `[e](x.md)`";
    const problems = brokenLinks("docs/probe.md", probe);
    assert.strictEqual(problems.length, 2, problems.join("\n"));
    assert.match(problems[0], /no file docs\/nowhere\.md/);
    assert.match(problems[1], /no heading #no-such-heading in README\.md/);
  });
});
