/** The built front-end (assets/ui/, produced by `npm run build:ui`), read from disk and kept in memory. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const defaultAssetsDir = path.resolve(import.meta.dirname, "../../../assets/ui");

const contentTypes: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

export interface Asset {
  body: Uint8Array;
  contentType: string;
}

export class UiAssets {
  readonly dir: string;
  private readonly cache = new Map<string, Asset | null>();

  constructor(dir = defaultAssetsDir) {
    this.dir = dir;
  }

  get built(): boolean {
    return existsSync(path.join(this.dir, "index.html"));
  }

  index(): Asset | null {
    return this.load("index.html");
  }

  /** A file under assets/ by its bare name (hashed by Vite); anything else is refused. */
  asset(name: string): Asset | null {
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith(".")) return null;
    return this.load(`assets/${name}`);
  }

  private load(relative: string): Asset | null {
    if (this.cache.has(relative)) return this.cache.get(relative)!;
    const file = path.join(this.dir, relative);
    let asset: Asset | null = null;
    if (existsSync(file)) {
      asset = {
        body: new Uint8Array(readFileSync(file)),
        contentType: contentTypes[path.extname(file)] ?? "application/octet-stream",
      };
    }
    this.cache.set(relative, asset);
    return asset;
  }
}
