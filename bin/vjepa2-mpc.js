#!/usr/bin/env node
"use strict";
// In a source checkout run the TypeScript directly (never a stale build); an installed package runs dist/.
const fs = require("node:fs");
const path = require("node:path");
const root = path.join(__dirname, "..");
const source = path.join(root, "src", "cli", "main.ts");
if (fs.existsSync(source)) {
  require("@swc-node/register");
  void require(source).main(process.argv);
} else {
  void require(path.join(root, "dist", "cli", "main.js")).main(process.argv);
}
