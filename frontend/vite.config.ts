import { defineConfig } from "vitest/config";

// The build goes straight into the Python package, which serves it (backend/qnetplan/api/spa.py).
export default defineConfig({
  base: "/",
  build: {
    outDir: "../backend/qnetplan/static",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1000,
    sourcemap: false,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000", "/openapi.json": "http://127.0.0.1:8000" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
