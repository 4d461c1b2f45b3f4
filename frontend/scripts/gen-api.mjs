#!/usr/bin/env node
// Regenerate the API client types.
//   npm run gen:api               # openapi.json -> src/api/schema.d.ts
//   npm run gen:api -- --from-app # first dump create_app().openapi() from ../.venv into openapi.json
//   npm run gen:api -- --url http://127.0.0.1:8000/openapi.json   # or from a running server
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalJson, generateSchemaTs } from "./openapi-gen.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const specPath = resolve(root, "openapi.json");
const outPath = resolve(root, "src/api/schema.d.ts");
const args = process.argv.slice(2);

if (args.includes("--from-app")) {
  const python = process.env.PYTHON ?? resolve(root, "../.venv/bin/python");
  const code =
    "import json, sys, tempfile, pathlib\n" +
    "from qnetplan.config import Settings\n" +
    "from qnetplan.main import create_app\n" +
    "d = tempfile.mkdtemp()\n" +
    "app = create_app(Settings(database_url='sqlite:///' + str(pathlib.Path(d) / 'gen.sqlite3')))\n" +
    "sys.stdout.write(json.dumps(app.openapi()))\n";
  const out = execFileSync(python, ["-c", code], { encoding: "utf8", maxBuffer: 64 << 20 });
  writeFileSync(specPath, canonicalJson(JSON.parse(out)));
  console.log(`wrote ${specPath}`);
} else if (args.includes("--url")) {
  const url = args[args.indexOf("--url") + 1];
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  writeFileSync(specPath, canonicalJson(await res.json()));
  console.log(`wrote ${specPath}`);
}

const spec = JSON.parse(readFileSync(specPath, "utf8"));
writeFileSync(outPath, await generateSchemaTs(spec));
console.log(`wrote ${outPath}`);
