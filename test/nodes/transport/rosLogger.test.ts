import { rosLine, rosLogger, type RclLogger } from "../../../src/nodes/transport/rosLogger";

function fakeRcl(severity: number) {
  const lines: Array<[string, string]> = [];
  const at = (level: string) => (m: string) => lines.push([level, m]);
  const rcl: RclLogger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), fatal: at("fatal"), loggerEffectiveLevel: severity };
  return { rcl, lines };
}

describe("rosLogger", () => {
  it("writes one line per record, fields after the message", () => {
    expect(rosLine({ level: 30, time: 1, pid: 2, hostname: "h", msg: "goals set", goals: ["a.png"], appended: 0 })).toBe(
      'goals set (goals=["a.png"], appended=0)',
    );
    expect(rosLine({ msg: "x", reason: "two words", err: { message: "boom", stack: "..." } })).toBe('x (reason="two words", err=boom)');
    expect(rosLine({ msg: "plain" })).toBe("plain");
  });

  it("routes levels to the ROS logger and formats only what ROS prints", () => {
    const { rcl, lines } = fakeRcl(30); // --log-level warn
    const log = rosLogger(rcl);
    log.debug("hidden");
    log.info("hidden too");
    log.warn({ n: 1 }, "careful");
    log.error("broken");
    log.fatal("dead");
    expect(lines).toEqual([
      ["warn", "careful (n=1)"],
      ["error", "broken"],
      ["fatal", "dead"],
    ]);
    const debug = fakeRcl(10);
    rosLogger(debug.rcl).debug("seen");
    expect(debug.lines).toEqual([["debug", "seen"]]);
  });
});
