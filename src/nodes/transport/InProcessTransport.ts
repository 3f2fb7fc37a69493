/**
 * In-process transport: nodes in one process exchange messages by reference through a shared bus
 * (no serialisation, so embeddings and images cost nothing to pass). Delivery is asynchronous, as in
 * ROS: a publish returns before subscribers run. QoS is accepted and ignored (nothing is lost in-process).
 */
import { silentLogger, type Logger } from "../../log";
import { WallClock } from "./clocks";
import type { Clock, Qos, Transport } from "./Transport";

type Handler = (req: unknown) => Promise<unknown> | unknown;

/**
 * A name as ROS resolves it for a node in the root namespace: relative names (the nodes' defaults,
 * topics.ts) become absolute, so `planner/status` and `/planner/status` are one topic here as under ROS.
 */
export function resolveName(name: string): string {
  return name.startsWith("/") ? name : `/${name}`;
}

/** The shared medium of every InProcessTransport of one process. */
export class InProcessBus {
  private readonly topics = new Map<string, { type: string; subscribers: Set<(msg: unknown) => void> }>();
  private readonly services = new Map<string, { type: string; handler: Handler }>();
  private readonly actions = new Map<string, { type: string; handler: Handler }>();
  /** Every message published, by topic, when recording is on (tests, replay reports). */
  readonly recorded = new Map<string, unknown[]>();
  recording = false;

  private topic(relative: string, type: string): { type: string; subscribers: Set<(msg: unknown) => void> } {
    const name = resolveName(relative);
    let t = this.topics.get(name);
    if (t === undefined) {
      t = { type, subscribers: new Set() };
      this.topics.set(name, t);
    } else if (t.type !== type) {
      throw new Error(`topic ${name} has type ${t.type}; cannot use it as ${type}`);
    }
    return t;
  }

  publish(name: string, type: string, msg: unknown): void {
    const t = this.topic(name, type);
    if (this.recording) {
      const list = this.recorded.get(resolveName(name)) ?? [];
      list.push(msg);
      this.recorded.set(resolveName(name), list);
    }
    for (const s of t.subscribers) queueMicrotask(() => s(msg));
  }

  subscribe(name: string, type: string, callback: (msg: unknown) => void): () => void {
    const t = this.topic(name, type);
    t.subscribers.add(callback);
    return () => t.subscribers.delete(callback);
  }

  /** Registers a service server; one per name. */
  serve(kind: "service" | "action", relative: string, type: string, handler: Handler): void {
    const name = resolveName(relative);
    const table = kind === "service" ? this.services : this.actions;
    if (table.has(name)) throw new Error(`${kind} ${name} is already served`);
    table.set(name, { type, handler });
  }

  /** Calls a service or action server (as a client would). */
  async call(kind: "service" | "action", relative: string, type: string, req: unknown): Promise<unknown> {
    const name = resolveName(relative);
    const s = (kind === "service" ? this.services : this.actions).get(name);
    if (s === undefined) throw new Error(`no ${kind} server for ${name}`);
    if (s.type !== type) throw new Error(`${kind} ${name} has type ${s.type}, called as ${type}`);
    await Promise.resolve(); // never answer synchronously
    return s.handler(req);
  }

  unserve(kind: "service" | "action", name: string): void {
    (kind === "service" ? this.services : this.actions).delete(resolveName(name));
  }
}

export class InProcessTransport implements Transport {
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly bus: InProcessBus,
    readonly nodeName: string,
    readonly clock: Clock = new WallClock(),
    readonly log: Logger = silentLogger,
  ) {}

  /** `~/x` is the node's private name `/NODE/x`, as rcl expands it. */
  private expand(name: string): string {
    return name.startsWith("~") ? `/${this.nodeName}${name.slice(1)}` : name;
  }

  publisher<T>(type: string, topic: string, _qos?: Qos): (msg: T) => void {
    const name = this.expand(topic);
    return (msg: T) => this.bus.publish(name, type, msg);
  }

  subscribe<T>(type: string, topic: string, _qos: Qos, callback: (msg: T) => void): () => void {
    const safe = (msg: unknown): void => {
      try {
        callback(msg as T);
      } catch (e) {
        this.log.error({ topic, err: (e as Error).message }, "subscription callback threw");
      }
    };
    const off = this.bus.subscribe(this.expand(topic), type, safe);
    this.cleanups.push(off);
    return off;
  }

  service<Req, Res>(type: string, service: string, handler: (req: Req) => Promise<Res> | Res): () => void {
    const name = this.expand(service);
    this.bus.serve("service", name, type, handler as Handler);
    let served = true;
    const off = (): void => {
      if (served) this.bus.unserve("service", name);
      served = false;
    };
    this.cleanups.push(off);
    return off;
  }

  /** Calls a service served on the same bus (what `ros2 service call` does). */
  async call<Req, Res>(type: string, name: string, req: Req): Promise<Res> {
    return (await this.bus.call("service", this.expand(name), type, req)) as Res;
  }

  /** Serves an action (a simulated gripper, in tests and the demo). */
  actionServer<Goal, Result>(type: string, name: string, handler: (goal: Goal) => Promise<Result> | Result): void {
    this.bus.serve("action", name, type, handler as Handler);
    this.cleanups.push(() => this.bus.unserve("action", name));
  }

  async sendGoal<Goal, Result>(type: string, name: string, goal: Goal): Promise<Result> {
    return (await this.bus.call("action", name, type, goal)) as Result;
  }

  async close(): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
  }
}
