/**
 * The layers of src/, each importing only the ones below it (README "Layout"):
 *
 *   index.ts, cli                 the command and the package entry
 *   demo, replay                  whole runs: the embedded demo, bag replay and their reports
 *   sim, bag, nodes               the simulator, rosbag2 I/O, the ROS nodes and their transports
 *   mpc                           the planner: goals, receding horizon, pose math
 *   worldmodel, cem, config, ros  the model runtime, the optimiser, parameters, message codecs
 *   io, tensor, pose, stats, log  leaves: .npy files, tensors and float16, pose math, summary statistics, logging
 *
 * `npm run lint:deps` checks it (part of npm test).
 */
const layer = (dirs) => `^src/(${dirs.join("|")})(/|\\.ts$)`;
const LAYERS = [
  ["index", "cli"],
  ["demo", "replay"],
  ["sim", "bag", "nodes"],
  ["mpc"],
  ["worldmodel", "cem", "config", "ros"],
  ["io", "tensor", "pose", "stats", "log"],
];

const upward = LAYERS.slice(1).map((lower, i) => ({
  name: `no-upward-from-${lower.join("-")}`,
  comment: `${lower.join(", ")} must not import ${LAYERS.slice(0, i + 1)
    .flat()
    .join(", ")} (a layer above)`,
  severity: "error",
  from: { path: layer(lower) },
  to: { path: layer(LAYERS.slice(0, i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      comment: "a cycle between modules: move the shared piece to a module both can import",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(test|dist|node_modules)/" },
  },
};
