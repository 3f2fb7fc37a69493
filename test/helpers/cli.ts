import { execFile } from "node:child_process";
import { Command } from "commander";
import * as path from "node:path";
import { repoRoot } from "./reference";

/** Runs the `vjepa2-mpc` command line in a child process, as a user would. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, "bin", "vjepa2-mpc.js"), ...args],
      { cwd: repoRoot, env: { ...process.env, VJEPA2_LOG_JSON: "1", ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs commands registered by `register` in this process (no child), returning what they wrote to stdout. */
export async function runCommandInProcess(register: (program: Command) => void, args: string[]): Promise<string> {
  const program = new Command("vjepa2-mpc").exitOverride();
  register(program);
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(["node", "vjepa2-mpc", ...args]);
  } finally {
    spy.mockRestore();
  }
  return chunks.join("");
}
