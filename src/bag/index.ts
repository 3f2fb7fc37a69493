/** rosbag2 MCAP bags: writing, reading (with recovery of damaged files), the topic convention, DROID conversion. */
export * from "./BagReader";
export * from "./BagWriter";
export * from "./bagMetadata";
export * from "./convertDroid";
export * from "./droidEpisode";
export * from "./imageMessages";
export * from "./qosProfiles";
export * from "./topics";
export * from "./videoFrames";
