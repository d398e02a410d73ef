import path from "node:path";
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));

// Builds the web UI into assets/ui/ (generated, git-ignored), served by src/ui/server.
export default defineConfig({
  root: here,
  base: "/",
  publicDir: false,
  plugins: [preact()],
  build: {
    outDir: path.resolve(here, "../../../assets/ui"),
    emptyOutDir: true,
    target: "es2022",
    // The polyfill would be an inline script; the CSP forbids those.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
  worker: { format: "es" },
});
