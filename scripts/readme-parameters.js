#!/usr/bin/env node
"use strict";
// Rewrites the README's parameter table (between its parameters:begin/end markers) from the declarations,
// with `vjepa2-mpc config --markdown`. A test fails while the README's table differs: run `npm run docs:parameters`.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const root = path.join(__dirname, "..");
const readme = path.join(root, "README.md");
const table = execFileSync(process.execPath, [path.join(root, "bin", "vjepa2-mpc.js"), "config", "--markdown"], { encoding: "utf8" });
const text = fs.readFileSync(readme, "utf8");
const re = /(<!-- parameters:begin[^>]*-->\n)[\s\S]*?(<!-- parameters:end -->)/;
if (!re.test(text)) throw new Error("README.md has no <!-- parameters:begin --> ... <!-- parameters:end --> markers");
fs.writeFileSync(
  readme,
  text.replace(re, (_, begin, end) => `${begin}${table}${end}`),
);
console.log("README.md: parameter table updated");
