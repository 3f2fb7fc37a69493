import * as fs from "node:fs";
import * as path from "node:path";

/** Repository root (the folder holding package.json). */
export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * Folder of the upstream PyTorch reference numbers (`../shared/reference` next to the checkout, or
 * `VJEPA2_REFERENCE_DIR`). Returns null when it is absent so a newcomer's `npm test` still runs; on CI
 * (`CI` set) its absence is an error, so parity can never be skipped silently there.
 */
export function referenceDir(): string | null {
  const dir = process.env.VJEPA2_REFERENCE_DIR ?? path.resolve(repoRoot, "..", "shared", "reference");
  if (fs.existsSync(dir)) return dir;
  if (process.env.CI) throw new Error(`reference numbers not found at ${dir} (set VJEPA2_REFERENCE_DIR)`);
  return null;
}

/** `describe` when the reference folder exists, otherwise `describe.skip` with a note. */
export function describeWithReference(name: string, body: (dir: string) => void): void {
  const dir = referenceDir();
  if (dir === null) {
    describe.skip(`${name} (no ../shared/reference here)`, () => {
      it.skip("needs the upstream reference numbers", () => undefined);
    });
    return;
  }
  describe(name, () => body(dir));
}
