/**
 * A node role as a ROS 2 managed node: what each lifecycle transition does to it.
 *
 *  configure   check the configuration in use (YAML + ROS parameters) and load the world model; a failure
 *              leaves the node unconfigured, with the reason logged
 *  activate    create and start the nodes: subscriptions, services, publishing, commanding
 *  deactivate  stop them: the actuator sends no command (the controller holds its last target), the
 *              planner plans nothing; goals and the e-stop latch are kept for the next activate
 *  cleanup     release the model (goals go with it; the e-stop latch stays, for the process's life)
 *  shutdown    all of the above, from any state
 */
import type { Logger } from "../../log";
import type { Config } from "../../config/parameters";
import { EStopLatch } from "../actuator/estopLatch";
import { configureRole, type ConfiguredRole, type Role, type RoleDeps, type RunningRole } from "../startRoles";
import type { Transport } from "../transport/Transport";
import type { LifecycleCallbacks, PrimaryState, StateLabel } from "./LifecycleStateMachine";

export class ManagedRole implements LifecycleCallbacks {
  private configured: ConfiguredRole | null = null;
  private running: RunningRole | null = null;
  /** One latch for the process's life: no transition releases an e-stop, only the reset service. */
  private readonly estop = new EStopLatch();

  constructor(
    private readonly role: Role,
    private readonly t: Transport,
    /** The configuration in use now (YAML files + ROS parameters, checked); throws when it is invalid. */
    private readonly config: () => Config,
    private readonly deps: RoleDeps,
    private readonly log: Logger = t.log,
  ) {}

  /** The nodes while active (null otherwise). */
  get nodes(): RunningRole | null {
    return this.running;
  }

  /**
   * A validated configuration change (`ros2 param set`): applied to running nodes from their next step
   * or tick, checked against the model while inactive, simply accepted while unconfigured (configure
   * reads it). Returns null, or the reason to refuse it.
   */
  reconfigure(next: Config): string | null {
    if (this.running !== null) return this.running.reconfigure(next);
    if (this.configured !== null) return this.configured.check(next);
    return null;
  }

  async onConfigure(): Promise<string | null> {
    try {
      this.configured = await configureRole(this.role, this.t, this.config(), this.deps, this.estop);
    } catch (e) {
      return (e as Error).message;
    }
    return null;
  }

  async onActivate(): Promise<string | null> {
    if (this.configured === null) return "not configured";
    try {
      this.running = await this.configured.activate(this.config());
    } catch (e) {
      return (e as Error).message;
    }
    return null;
  }

  async onDeactivate(): Promise<string | null> {
    const running = this.running;
    this.running = null;
    await running?.stop();
    return null;
  }

  async onCleanup(): Promise<string | null> {
    const configured = this.configured;
    this.configured = null;
    await configured?.cleanup();
    return null;
  }

  async onShutdown(_from: PrimaryState): Promise<string | null> {
    await this.release();
    return null;
  }

  async onError(error: Error, during: StateLabel): Promise<string | null> {
    this.log.error({ err: error.message, during }, "lifecycle transition failed with an error: releasing everything");
    try {
      await this.release();
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private async release(): Promise<void> {
    try {
      await this.onDeactivate();
    } finally {
      await this.onCleanup();
    }
  }
}
