/** ROS 2 message definitions, CDR encoding and the shapes of the messages the project uses. */
export * from "./CdrCodec";
export * from "./interfacePackage";
export * from "./messages";
export * from "./MessageRegistry";
export * from "./standardMessages";
export * from "./typeNames";
