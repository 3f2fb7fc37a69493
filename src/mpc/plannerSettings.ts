import type { Config } from "../config/parameters";
import type { PlannerSettings } from "./RecedingHorizonPlanner";

/** Planner settings from the `planner` section of the configuration. */
export function plannerSettingsFromConfig(p: Config["planner"], evaluatePlan = true): PlannerSettings {
  const axis: Record<number, number> = {};
  const fixed: Array<[number, number | null]> = [
    [0, p.fix_dx],
    [1, p.fix_dy],
    [2, p.fix_dz],
    [3, p.fix_gripper],
  ];
  for (const [i, v] of fixed) if (v !== null) axis[i] = v;
  return {
    cem: {
      horizon: p.horizon,
      samples: p.samples,
      iterations: p.iterations,
      topk: p.topk,
      maxnorm: p.maxnorm,
      momentumMean: p.momentum_mean,
      momentumStd: p.momentum_std,
      momentumMeanGripper: p.momentum_mean_gripper,
      momentumStdGripper: p.momentum_std_gripper,
      gripperClip: p.gripper_clip,
      gripperRoundBelow: p.gripper_round_below,
      closeGripper: p.close_gripper,
      axis,
      seed: p.seed,
    },
    warmStart: p.warm_start,
    returnToBest: p.return_to_best,
    evaluatePlan,
  };
}
