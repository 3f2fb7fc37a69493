"""Run an ONNX graph with onnxruntime-node (there is no onnxruntime for this Python) via a small node script.

Feeds/fetches travel as raw little-endian files in a temp dir.  `available()` tells whether node and
onnxruntime-node are present (the tests that need it skip otherwise)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

_SCRIPT = r"""
const fs = require('fs'); const path = require('path');
const ort = require(path.join(process.argv[2], 'node_modules', 'onnxruntime-node'));
const job = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const ctor = {float32: Float32Array, float16: Uint16Array, int64: BigInt64Array, bool: Uint8Array};
(async () => {
  const s = await ort.InferenceSession.create(job.model, {graphOptimizationLevel: job.opt || 'all'});
  const feeds = {};
  for (const [name, f] of Object.entries(job.feeds)) {
    const buf = fs.readFileSync(f.file);
    const C = ctor[f.dtype];
    const arr = new C(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    feeds[name] = new ort.Tensor(f.dtype, arr, f.dims);
  }
  const out = await s.run(feeds);
  const meta = {};
  for (const [name, t] of Object.entries(out)) {
    const file = path.join(job.dir, name + '.out');
    fs.writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    meta[name] = {dtype: t.type, dims: t.dims, file};
  }
  fs.writeFileSync(path.join(job.dir, 'out.json'), JSON.stringify(meta));
})().catch(e => { console.error(e); process.exit(1); });
"""


def available() -> bool:
    return shutil.which("node") is not None and os.path.isdir(os.path.join(REPO, "node_modules", "onnxruntime-node"))


def run(model_path: str, feeds: dict, opt: str = "all") -> dict:
    with tempfile.TemporaryDirectory(prefix="ortnode-") as d:
        job = {"model": os.path.abspath(model_path), "dir": d, "opt": opt, "feeds": {}}
        for name, arr in feeds.items():
            arr = np.ascontiguousarray(arr)
            dt = {np.dtype("float32"): "float32", np.dtype("float16"): "float16", np.dtype("int64"): "int64"}[arr.dtype]
            f = os.path.join(d, name + ".in")
            arr.view(np.uint16 if dt == "float16" else arr.dtype).tofile(f)
            job["feeds"][name] = {"dtype": dt, "dims": list(arr.shape), "file": f}
        with open(os.path.join(d, "job.json"), "w") as f:
            json.dump(job, f)
        with open(os.path.join(d, "run.js"), "w") as f:
            f.write(_SCRIPT)
        r = subprocess.run(["node", os.path.join(d, "run.js"), REPO, os.path.join(d, "job.json")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"onnxruntime-node failed on {model_path}: {r.stderr[-3000:]}")
        with open(os.path.join(d, "out.json")) as f:
            meta = json.load(f)
        out = {}
        for name, m in meta.items():
            dt = {"float32": np.float32, "float16": np.float16, "int64": np.int64}[m["dtype"]]
            out[name] = np.fromfile(m["file"], dtype=dt).reshape(m["dims"])
        return out
