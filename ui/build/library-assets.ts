import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Plugin, Rollup } from "vite";

/**
 * Packages whose code or assets ship without passing through the module graph: the fonts
 * prefect-design's prebuilt CSS embeds (OFL-1.1 asks for their license to travel with them).
 */
const EMBEDDED = ["@fontsource-variable/inter", "@fontsource-variable/inconsolata"];

/** Images the library's CSS asks for at the site's root. */
const LIBRARY_IMAGES = ["marketing-banner-bg-light.svg", "marketing-banner-bg-dark.svg"];

/** Where npm installed a package, as Node resolves it from `from`: the nearest node_modules above. */
function findPackageDir(name: string, from: string = import.meta.dirname): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function packageDir(name: string): string {
  const dir = findPackageDir(name);
  if (!dir) throw new Error(`${name} is not installed`);
  return dir;
}

/**
 * The npm packages any module of the bundle comes from (the innermost node_modules of its path), and
 * the app's own runtime dependencies (a package that only re-exports, as `vue`, leaves no module).
 */
function bundledPackages(bundle: Rollup.OutputBundle): string[] {
  const app = JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "package.json"), "utf8"));
  const names = new Set([...EMBEDDED, ...Object.keys(app.dependencies ?? {})]);
  for (const file of Object.values(bundle)) {
    if (file.type !== "chunk") continue;
    for (const id of Object.keys(file.modules)) {
      const inPackage = id.split("node_modules/").at(-1);
      if (inPackage === undefined || inPackage === id) continue;
      const parts = inPackage.split("/");
      names.add(parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]);
    }
  }
  return [...names];
}

/**
 * The packages and, transitively, their dependencies: Prefect's libraries ship prebuilt bundles
 * that inline theirs (d3, date-fns, pixi.js, …), which never appear as modules of our bundle.
 */
function withDependencies(names: string[]): { name: string; dir: string }[] {
  const seen = new Map<string, { name: string; dir: string }>();
  const visit = (name: string, from?: string) => {
    const dir = findPackageDir(name, from);
    if (!dir || seen.has(dir)) return; // an optional dependency npm did not install for this platform
    seen.set(dir, { name, dir });
    const { dependencies = {} } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const dependency of Object.keys(dependencies)) visit(dependency, dir);
  };
  for (const name of names) visit(name);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name) || a.dir.localeCompare(b.dir));
}

/** The text of a package's license file (LICENSE, LICENCE, COPYING, with or without an extension). */
function licenseText(dir: string, declared: string | undefined): string {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|-|$)/i.test(name));
  return file ? readFileSync(path.join(dir, file), "utf8").trim() : `(no license file in the package; package.json says ${declared ?? "nothing"})`;
}

/** Emits the library's root-relative images and a THIRD_PARTY_LICENSES.txt of every package in the build. */
export function libraryAssets(): Plugin {
  return {
    name: "library-assets",
    apply: "build",
    generateBundle(_options, bundle) {
      const uiLibrary = packageDir("@prefecthq/prefect-ui-library");
      for (const image of LIBRARY_IMAGES) {
        this.emitFile({ type: "asset", fileName: image, source: readFileSync(path.join(uiLibrary, "dist", image)) });
      }
      const notices = new Map<string, string>();
      for (const { name, dir } of withDependencies(bundledPackages(bundle))) {
        const { version, license } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
        const heading = `${name}@${version}${license ? ` — ${license}` : ""}`;
        if (!notices.has(heading)) notices.set(heading, `${heading}\n\n${licenseText(dir, license)}\n`);
      }
      this.emitFile({ type: "asset", fileName: "THIRD_PARTY_LICENSES.txt", source: [...notices.values()].join(`\n${"=".repeat(72)}\n\n`) });
    },
  };
}
