import { Command } from "commander";
import { registerBagCommands } from "../../src/cli/bagCommands";
import { SAMPLE_BAG_DIR } from "./sampleBag";

async function run(args: string[]): Promise<string> {
  const program = new Command("vjepa2-mpc").exitOverride();
  registerBagCommands(program);
  let out = "";
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(["node", "vjepa2-mpc", ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe("bag CLI", () => {
  it("bag-info lists topics with types and counts", async () => {
    const out = await run(["bag-info", SAMPLE_BAG_DIR]);
    expect(out).toContain("duration 4.750 s, 79 messages");
    expect(out).toContain("/camera/image_raw  sensor_msgs/msg/Image  20");
    const json = JSON.parse(await run(["bag-info", SAMPLE_BAG_DIR, "--json"]));
    expect(json.topics).toHaveLength(4);
    expect(json.damage).toEqual([]);
  });

  it("convert-droid rejects a bad --fps and --size with the flag named", async () => {
    await expect(run(["convert-droid", "/nonexistent", "--out", "/tmp/x", "--fps", "0"])).rejects.toThrow(/--fps expects a number > 0, got '0'/);
    await expect(run(["convert-droid", "/nonexistent", "--out", "/tmp/x", "--size", "64"])).rejects.toThrow(/--size expects WIDTHxHEIGHT/);
  });
});
