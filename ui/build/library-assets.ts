import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Plugin } from "vite";

/** The npm packages the app is built on; their licenses ship with it (Apache-2.0 asks for that). */
const LIBRARIES = [
  "@prefecthq/prefect-ui-library",
  "@prefecthq/prefect-design",
  "@prefecthq/vue-compositions",
  "@prefecthq/vue-charts",
  "@prefecthq/graphs",
];

/** Images the library's CSS asks for at the site's root. */
const LIBRARY_IMAGES = ["marketing-banner-bg-light.svg", "marketing-banner-bg-dark.svg"];

/** Where npm installed a package: ui/node_modules or a workspace root's node_modules above it. */
function packageDir(name: string): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed`);
  }
}

/** Emits the library's root-relative images and a THIRD_PARTY_LICENSES.txt into the build. */
export function libraryAssets(): Plugin {
  return {
    name: "library-assets",
    apply: "build",
    generateBundle() {
      const uiLibrary = packageDir("@prefecthq/prefect-ui-library");
      for (const image of LIBRARY_IMAGES) {
        this.emitFile({ type: "asset", fileName: image, source: readFileSync(path.join(uiLibrary, "dist", image)) });
      }
      const notices = LIBRARIES.map((name) => {
        const dir = packageDir(name);
        const { version, license } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
        let text = "";
        try {
          text = readFileSync(path.join(dir, "LICENSE"), "utf8");
        } catch {
          text = `(no LICENSE file in the package; package.json says ${license})`;
        }
        return `${name}@${version}${license ? ` — ${license}` : ""}\n\n${text.trim()}\n`;
      });
      this.emitFile({ type: "asset", fileName: "THIRD_PARTY_LICENSES.txt", source: notices.join(`\n${"=".repeat(72)}\n\n`) });
    },
  };
}
