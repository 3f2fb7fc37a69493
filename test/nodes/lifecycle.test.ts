import { resolveConfig } from "../../src/config/configFile";
import { LifecycleStateMachine, STATE, type LifecycleCallbacks, type TransitionEvent } from "../../src/nodes/lifecycle/LifecycleStateMachine";
import { serveLifecycle } from "../../src/nodes/lifecycle/lifecycleServices";
import { ManagedRole } from "../../src/nodes/lifecycle/ManagedRole";
import { NODE_SERVICES } from "../../src/nodes/topics";
import { SimClock } from "../../src/nodes/transport/clocks";
import { InProcessBus, InProcessTransport } from "../../src/nodes/transport/InProcessTransport";
import { timeFromSeconds } from "../../src/ros/messages";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";

const PRE = { size: 8, resize: "squash" as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };

/** Callbacks that record their calls and answer as told. */
function scripted(answers: Partial<Record<keyof LifecycleCallbacks, () => Promise<string | null>>> = {}): LifecycleCallbacks & { calls: string[] } {
  const calls: string[] = [];
  const cb = (name: keyof LifecycleCallbacks) => async () => {
    calls.push(name);
    return answers[name] ? answers[name]() : null;
  };
  return {
    calls,
    onConfigure: cb("onConfigure"),
    onActivate: cb("onActivate"),
    onDeactivate: cb("onDeactivate"),
    onCleanup: cb("onCleanup"),
    onShutdown: cb("onShutdown"),
    onError: cb("onError"),
  };
}

describe("LifecycleStateMachine", () => {
  it("walks configure, activate, deactivate, cleanup and shutdown with rcl's states and events", async () => {
    const events: TransitionEvent[] = [];
    const cbs = scripted();
    const m = new LifecycleStateMachine(cbs, (e) => events.push(e));
    expect(m.state).toBe("unconfigured");
    expect(m.available().map((t) => t.label)).toEqual(["configure", "shutdown"]);
    expect(await m.trigger("configure")).toEqual({ success: true, state: "inactive", reason: "" });
    expect(await m.trigger(3)).toMatchObject({ success: true, state: "active" }); // activate by id
    expect(m.available().map((t) => [t.label, t.id])).toEqual([
      ["deactivate", 4],
      ["shutdown", 7],
    ]);
    expect(await m.trigger("deactivate")).toMatchObject({ success: true, state: "inactive" });
    expect(await m.trigger("cleanup")).toMatchObject({ success: true, state: "unconfigured" });
    expect(await m.trigger("shutdown")).toMatchObject({ success: true, state: "finalized" });
    expect(m.available()).toEqual([]);
    expect(cbs.calls).toEqual(["onConfigure", "onActivate", "onDeactivate", "onCleanup", "onShutdown"]);
    expect(events.slice(0, 2)).toEqual([
      { transition: { id: 1, label: "configure" }, start: "unconfigured", goal: "configuring" },
      { transition: { id: 10, label: "transition_success" }, start: "configuring", goal: "inactive" },
    ]);
    expect(events.map((e) => e.goal)).toEqual([
      "configuring",
      "inactive",
      "activating",
      "active",
      "deactivating",
      "inactive",
      "cleaningup",
      "unconfigured",
      "shuttingdown",
      "finalized",
    ]);
  });

  it("refuses what the state does not offer, and anything while a transition runs", async () => {
    let release: (v: string | null) => void = () => undefined;
    const cbs = scripted({ onConfigure: () => new Promise((r) => (release = r)) });
    const m = new LifecycleStateMachine(cbs);
    expect(await m.trigger("activate")).toEqual({
      success: false,
      state: "unconfigured",
      reason: "no transition activate from unconfigured; available: configure, shutdown",
    });
    const configuring = m.trigger("configure");
    await Promise.resolve();
    expect(m.state).toBe("configuring");
    expect(await m.trigger("shutdown")).toMatchObject({ success: false, state: "configuring", reason: "a transition is in progress (configuring)" });
    release(null);
    expect(await configuring).toMatchObject({ success: true, state: "inactive" });
    expect(cbs.calls).toEqual(["onConfigure"]);
  });

  it("a failing callback returns to the start state with its reason", async () => {
    const m = new LifecycleStateMachine(scripted({ onConfigure: async () => "no model at /nowhere", onActivate: async () => "camera busy" }));
    expect(await m.trigger("configure")).toEqual({ success: false, state: "unconfigured", reason: "no model at /nowhere" });
    const ok = new LifecycleStateMachine(scripted({ onActivate: async () => "camera busy" }));
    await ok.trigger("configure");
    expect(await ok.trigger("activate")).toEqual({ success: false, state: "inactive", reason: "camera busy" });
  });

  it("an error goes through errorprocessing to unconfigured, or to finalized when onError fails", async () => {
    const events: TransitionEvent[] = [];
    const cbs = scripted({
      onActivate: async () => {
        throw new Error("worker died");
      },
    });
    const m = new LifecycleStateMachine(cbs, (e) => events.push(e));
    await m.trigger("configure");
    expect(await m.trigger("activate")).toEqual({ success: false, state: "unconfigured", reason: "activate failed with an error: worker died" });
    expect(events.slice(-2).map((e) => [e.goal, e.transition.id])).toEqual([
      ["errorprocessing", 32],
      ["unconfigured", 60],
    ]);
    const fatal = new LifecycleStateMachine(
      scripted({
        onConfigure: async () => {
          throw new Error("boom");
        },
        onError: async () => "cannot release",
      }),
    );
    expect(await fatal.trigger("configure")).toMatchObject({ success: false, state: "finalized" });
  });
});

describe("a managed role over the transport", () => {
  const setup = (role: "actuator" | "planner", loadModel = async () => ({ model: new AnalyticWorldModel(), preprocess: PRE })) => {
    const bus = new InProcessBus();
    const clock = new SimClock(100);
    const t = new InProcessTransport(bus, role, clock);
    const operator = new InProcessTransport(bus, "operator", clock);
    const config = resolveConfig([], { "planner.samples": 16, "planner.iterations": 1, "planner.topk": 4 });
    const managed = new ManagedRole(role, t, () => config, { loadModel });
    const results: string[] = [];
    let publish: (e: TransitionEvent) => void = () => undefined;
    const machine = new LifecycleStateMachine(managed, (e) => publish(e));
    const events: unknown[] = [];
    operator.subscribe("lifecycle_msgs/msg/TransitionEvent", `/${role}/transition_event`, "reliable", (e) => events.push(e));
    publish = serveLifecycle(t, machine, (label, r) => results.push(`${label}:${r.success}:${r.reason}`));
    const change = (label: string) =>
      operator.call<unknown, { success: boolean }>("lifecycle_msgs/srv/ChangeState", `/${role}/change_state`, { transition: { id: 0, label } });
    const state = async () =>
      (await operator.call<unknown, { current_state: { id: number; label: string } }>("lifecycle_msgs/srv/GetState", `/${role}/get_state`, {})).current_state;
    return { t, operator, managed, machine, change, state, results, events };
  };

  it("serves ros2 lifecycle's services under the node's private names and publishes transition events", async () => {
    const s = setup("actuator");
    expect(await s.state()).toEqual({ id: STATE.unconfigured, label: "unconfigured" });
    const transitions = await s.operator.call<unknown, { available_transitions: Array<{ transition: { label: string } }> }>(
      "lifecycle_msgs/srv/GetAvailableTransitions",
      "/actuator/get_available_transitions",
      {},
    );
    expect(transitions.available_transitions.map((t) => t.transition.label)).toEqual(["configure", "shutdown"]);
    expect(await s.change("configure")).toEqual({ success: true });
    expect(await s.state()).toEqual({ id: STATE.inactive, label: "inactive" });
    await new Promise((r) => setImmediate(r));
    expect(s.events).toHaveLength(2);
    expect(s.events[1]).toMatchObject({ start_state: { label: "configuring" }, goal_state: { id: 2, label: "inactive" } });
    expect(await s.change("jump")).toEqual({ success: false });
    expect(s.results.at(-1)).toMatch(/^jump:false:no transition jump from inactive/);
    await s.change("shutdown");
  });

  it("deactivate stops commanding and serving; the e-stop latch survives deactivate, activate and cleanup", async () => {
    const s = setup("actuator");
    await s.change("configure");
    // Inactive: no node, no services.
    await expect(s.operator.call("std_srvs/srv/Trigger", NODE_SERVICES.estop, {})).rejects.toThrow(/no service server/);
    await s.change("activate");
    expect(s.managed.nodes?.actuator).not.toBeNull();
    expect(await s.operator.call("std_srvs/srv/Trigger", NODE_SERVICES.estop, {})).toMatchObject({ success: true });
    await s.change("deactivate");
    expect(s.managed.nodes).toBeNull();
    await expect(s.operator.call("std_srvs/srv/Trigger", NODE_SERVICES.estop, {})).rejects.toThrow(/no service server/);
    await s.change("cleanup");
    await s.change("configure");
    await s.change("activate");
    expect(s.managed.nodes?.actuator?.health().values.estopped).toBe(true);
    expect(await s.operator.call("std_srvs/srv/Trigger", NODE_SERVICES.reset, {})).toMatchObject({ success: true });
    expect(s.managed.nodes?.actuator?.health().values.estopped).toBe(false);
    expect(await s.change("shutdown")).toEqual({ success: true });
    expect(await s.state()).toMatchObject({ label: "finalized" });
  });

  it("the planner keeps its goals across deactivate and activate, and loses them with the model at cleanup", async () => {
    let loads = 0;
    let closes = 0;
    const s = setup("planner", async () => {
      loads++;
      const model = new AnalyticWorldModel();
      const close = model.close.bind(model);
      model.close = async () => {
        closes++;
        await close();
      };
      return { model, preprocess: PRE };
    });
    await s.change("configure");
    await s.change("activate");
    const goal = AnalyticWorldModel.renderState([0.55, 0, 0.3]);
    const image = { header: { stamp: timeFromSeconds(100), frame_id: "" }, height: 8, width: 8, encoding: "rgb8", is_bigendian: 0, step: 24, data: goal.data };
    const set = await s.operator.call<unknown, { success: boolean; goal_count: number }>("vjepa2_mpc_interfaces/srv/SetGoal", NODE_SERVICES.setGoal, {
      images: [image],
      image_paths: [],
      step_budgets: [],
      energy_threshold: 0,
      append: false,
    });
    expect(set).toMatchObject({ success: true, goal_count: 1 });
    await s.change("deactivate");
    await s.change("activate");
    const appended = await s.operator.call<unknown, { success: boolean; goal_count: number }>("vjepa2_mpc_interfaces/srv/SetGoal", NODE_SERVICES.setGoal, {
      images: [image],
      image_paths: [],
      step_budgets: [],
      energy_threshold: 0,
      append: true,
    });
    expect(appended).toMatchObject({ success: true, goal_count: 2 });
    await s.change("deactivate");
    await s.change("cleanup");
    expect([loads, closes]).toEqual([1, 1]);
    await s.change("configure");
    await s.change("activate");
    const fresh = await s.operator.call<unknown, { goal_count: number }>("vjepa2_mpc_interfaces/srv/SetGoal", NODE_SERVICES.setGoal, {
      images: [image],
      image_paths: [],
      step_budgets: [],
      energy_threshold: 0,
      append: true,
    });
    expect(fresh.goal_count).toBe(1);
    await s.change("shutdown");
    expect([loads, closes]).toEqual([2, 2]);
  });

  it("a configure that cannot load the model stays unconfigured with the reason, and can be retried", async () => {
    let fail = true;
    const s = setup("planner", async () => {
      if (fail) throw new Error("world_model.model /nowhere: no model.json");
      return { model: new AnalyticWorldModel(), preprocess: PRE };
    });
    expect(await s.change("configure")).toEqual({ success: false });
    expect(await s.state()).toMatchObject({ label: "unconfigured" });
    expect(s.results.at(-1)).toBe("configure:false:world_model.model /nowhere: no model.json");
    fail = false;
    expect(await s.change("configure")).toEqual({ success: true });
    await s.change("shutdown");
  });
});
