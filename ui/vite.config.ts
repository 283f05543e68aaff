import { fileURLToPath, URL } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";
import { libraryAssets } from "./build/library-assets";

// The app is served by the Worker at the origin's root (Workers Static Assets); in `vite dev` the
// API calls go to the Worker on :8787 (see the proxy below).
export default defineConfig({
  logLevel: "warn",
  plugins: [vue(), libraryAssets()],
  base: "/",
  resolve: {
    alias: [{ find: "@", replacement: fileURLToPath(new URL("./src", import.meta.url)) }],
    dedupe: ["vue", "vue-router"],
  },
  build: {
    sourcemap: false,
    chunkSizeWarningLimit: 6000,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8787", "/ui-settings": "http://127.0.0.1:8787" },
  },
});
