/**
 * The library behind the `vjepa2-mpc` command, for labs that embed the planner in their own code:
 * `const { OnnxWorldModel, RecedingHorizonPlanner, planCem } = require("vjepa2-mpc")`.
 *
 * Flat exports: the world model, the planner, CEM, pose math, configuration, bag I/O and the actuator's
 * safety envelope. Namespaces for the larger toolkits whose names would collide with the flat ones:
 * `sim` (the tabletop simulator of the demo) and `ros` (message shapes and CDR encoding without ROS).
 * The ROS 2 nodes themselves run through `vjepa2-mpc node ROLE` or `ros2 launch`, not through this API.
 */

// World model: the model-package contract, ONNX Runtime sessions off the event loop, image preprocessing.
export type { WorldModel, WorldModelInfo, RolloutResult } from "./worldmodel/WorldModel";
export { OnnxWorldModel, readModelPackage, type LoadOptions } from "./worldmodel/OnnxWorldModel";
export { parseModelPackage, contractSignature, checkGraphAgainstContract } from "./worldmodel/modelPackage";
export type { ModelPackage, GraphSpec, TensorSpec, TensorDtype } from "./worldmodel/modelPackage";
export { EMBEDDED_MODEL, EMBEDDED_TWO_VIEW_MODEL, loadModelFromConfig, modelDirFromConfig } from "./worldmodel/modelFromConfig";
export { preprocessImage, checkRawImage, channelsOf } from "./worldmodel/preprocess";
export type { RawImage, PixelEncoding, PreprocessOptions, ResizeMode } from "./worldmodel/preprocess";
export { preprocessOptionsFor, readImages, imagesToBatch } from "./worldmodel/imageInput";
export { decodeImage, encodePng, headerDimensions, sniffFormat, MAX_IMAGE_MEGAPIXELS } from "./worldmodel/imageDecode";
export { tensor, checkTensor, type FloatTensor } from "./tensor/tensor";

// Planner: receding-horizon MPC over goal images, and the loop that drives a robot with it.
export { RecedingHorizonPlanner, RETURN_TOLERANCE_M, RETURN_MAX_MOVES } from "./mpc/RecedingHorizonPlanner";
export type { Observation, PlannerSettings, PlanStatus, PlanStatusCode, PlanStep } from "./mpc/RecedingHorizonPlanner";
export { GoalSchedule, type Goal, type GoalOutcome, type GoalTrace } from "./mpc/GoalSchedule";
export { MpcController, type RobotInterface, type ControllerOptions, type ControllerStats, type ExecutedStep } from "./mpc/MpcController";
export { plannerSettingsFromConfig } from "./mpc/plannerSettings";
export { latentL1 } from "./worldmodel/latentDistance";

// CEM and pose math: pure, seedable, no I/O.
export * from "./cem";
export {
  POSE_DIM,
  eulerXyzToQuaternion,
  quaternionToEulerXyz,
  multiplyQuaternions,
  quaternionToMatrix,
  matrixToQuaternion,
  eulerXyzToMatrix,
  matrixToEulerXyz,
  computeNewPose,
  posesToDiff,
  wrapAngleLikeScipy,
  type Vector7,
} from "./pose/poseMath";

// Configuration: the parameter table, YAML files and their checks.
export { defaultConfig, resolveConfig, applyChanges, renderDefaultsYaml } from "./config/configFile";
export { PARAMETERS, crossCheck, type Config } from "./config/parameters";

// Bags: rosbag2 MCAP read/write with damage reports, DROID conversion.
export * from "./bag";

// The actuator's safety envelope and the pieces it is made of (pure: no clock, no I/O).
export * from "./nodes/actuator";

export * as sim from "./sim";
export * as ros from "./ros";
