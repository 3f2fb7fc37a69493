/** The tabletop simulator for the embedded demo (pure TypeScript; `simDataset` is the node: writer). */
export { TabletopSim, SIM_TASKS, PICK_PLACE_GOALS, REACH_TOLERANCE, PLACE_TOLERANCE } from "./TabletopSim";
export type { SimTask, PickPlaceGoals, SimGoal, SimObservation, SimResetResult, SimStepResult, SimResetOptions, TabletopSimOptions } from "./TabletopSim";
export { SceneRenderer, PinholeCamera } from "./SceneRenderer";
export type { SceneRendererOptions } from "./SceneRenderer";
export { sceneBoxes, shadowCasters, headingOf, fingerGap } from "./sceneGeometry";
export type { SceneState, SceneBox, ShadowCaster } from "./sceneGeometry";
export { DEFAULT_SIM_CONFIG, clampToWorkspace, simCameras, validateSimConfig } from "./simConfig";
export type { SimConfig, Workspace, CameraSpec, Vec3 } from "./simConfig";
export { createSimRandom, deriveSeed } from "./simRandom";
export type { SimRandom } from "./simRandom";
export { createRandomWalkPolicy, createScriptedReachPolicy, createScriptedFineApproachPolicy, createScriptedPickPlacePolicy } from "./simPolicies";
export type { SimPolicy, PolicyInput, PolicyOptions } from "./simPolicies";
export { recordEpisode, chooseEpisodeKind, POLICY_MIX_WEIGHTS, SIM_POLICY_MIXES } from "./simEpisode";
export type { SimEpisode, SimStep, EpisodeSpec, SimPolicyName, SimPolicyMix, SimEpisodeStart } from "./simEpisode";
export { imageStrip } from "./imageStrip";
