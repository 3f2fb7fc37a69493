/**
 * The goal and sub-goal schedule: an ordered list of goal embeddings, each with a step budget and an
 * optional energy threshold to advance early (paper pick-and-place: 3 sub-goals with budgets 4, 10, 4).
 * Pure state machine; keeps the energy trace per goal.
 */
import type { FloatTensor } from "../tensor/tensor";

/** One goal as the planner uses it. */
export interface Goal {
  /** Goal image embedding [1, N, D], computed once when the goal is set. */
  embedding: FloatTensor;
  /** Planning steps allowed for this goal before moving on (≥ 1). */
  stepBudget: number;
  /** Move on as soon as the current frame's energy to this goal is below this; null: budget only. */
  energyThreshold: number | null;
  /** Free-form label for logs and reports (file name, "goal 2", …). */
  label: string;
}

/** Why the schedule moved past a goal. */
export type GoalOutcome = "reached" | "budget_exhausted" | "skipped";

/** Per-goal record of what happened. */
export interface GoalTrace {
  label: string;
  /** Energy of the current frame to the goal, at each planning step spent on it. */
  energies: number[];
  /** Best planned (predicted) energy of each planning step. */
  plannedEnergies: number[];
  outcome: GoalOutcome | null;
}

export class GoalSchedule {
  private readonly goals: readonly Goal[];
  private index = 0;
  private stepsAtGoal = 0;
  readonly traces: GoalTrace[];

  /** Throws when a budget or threshold is invalid (the message names the goal). */
  constructor(goals: readonly Goal[]) {
    goals.forEach((g, i) => {
      if (!Number.isInteger(g.stepBudget) || g.stepBudget < 1)
        throw new Error(`goal ${i} (${g.label}): step budget must be an integer ≥ 1, got ${g.stepBudget}`);
      if (g.energyThreshold !== null && !(Number.isFinite(g.energyThreshold) && g.energyThreshold >= 0)) {
        throw new Error(`goal ${i} (${g.label}): energy threshold must be a finite number ≥ 0 or null, got ${g.energyThreshold}`);
      }
    });
    this.goals = goals;
    this.traces = goals.map((g) => ({ label: g.label, energies: [], plannedEnergies: [], outcome: null }));
  }

  /** Number of goals. */
  get length(): number {
    return this.goals.length;
  }

  /** Index of the goal being pursued (= length when done). */
  get goalIndex(): number {
    return this.index;
  }

  /** Planning steps already spent on the current goal. */
  get stepsSpent(): number {
    return this.stepsAtGoal;
  }

  /** True when every goal has been reached or has used its budget. */
  get done(): boolean {
    return this.index >= this.goals.length;
  }

  /** The goal being pursued, or null when done. */
  get current(): Goal | null {
    return this.done ? null : this.goals[this.index];
  }

  /**
   * Records the current frame's energy to the current goal and moves on if the goal is reached (energy
   * below its threshold) or its budget is spent. Repeats for the next goal with `energyTo`, so one frame
   * can pass several goals. Returns the goals passed in this call.
   */
  observe(energyTo: (goal: Goal) => number): Array<{ index: number; outcome: GoalOutcome }> {
    const passed: Array<{ index: number; outcome: GoalOutcome }> = [];
    while (!this.done) {
      const goal = this.goals[this.index];
      const energy = energyTo(goal);
      this.traces[this.index].energies.push(energy);
      if (goal.energyThreshold !== null && energy < goal.energyThreshold) {
        passed.push({ index: this.index, outcome: this.finish("reached") });
        continue;
      }
      if (this.stepsAtGoal >= goal.stepBudget) {
        passed.push({ index: this.index, outcome: this.finish("budget_exhausted") });
        continue;
      }
      break;
    }
    return passed;
  }

  /** Counts one planning step against the current goal, with the plan's predicted energy. */
  recordPlan(plannedEnergy: number): void {
    if (this.done) throw new Error("recordPlan: all goals are done");
    this.traces[this.index].plannedEnergies.push(plannedEnergy);
    this.stepsAtGoal++;
  }

  /** The goals not finished yet (the current one first), e.g. to append new goals after them. */
  remaining(): Goal[] {
    return this.goals.slice(this.index);
  }

  /** Abandons the current goal (e.g. on operator request) and moves to the next. */
  skip(): void {
    if (!this.done) this.finish("skipped");
  }

  private finish(outcome: GoalOutcome): GoalOutcome {
    this.traces[this.index].outcome = outcome;
    this.index++;
    this.stepsAtGoal = 0;
    return outcome;
  }
}
