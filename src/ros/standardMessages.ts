/**
 * The standard ROS 2 message definitions the project reads and writes, as `.msg` text exactly as in
 * ROS 2 Jazzy (and Humble: these types are unchanged between them), comments dropped. Keys are full
 * type names (`pkg/msg/Type`); field types inside a text are written as in the original files (a bare
 * `Point` in geometry_msgs/Pose means geometry_msgs/Point).
 */
export const STANDARD_MESSAGE_TEXTS: Readonly<Record<string, string>> = {
  "builtin_interfaces/msg/Time": "int32 sec\nuint32 nanosec\n",
  "std_msgs/msg/Header": "builtin_interfaces/Time stamp\nstring frame_id\n",
  "sensor_msgs/msg/Image": [
    "std_msgs/Header header",
    "uint32 height",
    "uint32 width",
    "string encoding",
    "uint8 is_bigendian",
    "uint32 step",
    "uint8[] data",
    "",
  ].join("\n"),
  "sensor_msgs/msg/CompressedImage": "std_msgs/Header header\nstring format\nuint8[] data\n",
  "sensor_msgs/msg/JointState": "std_msgs/Header header\nstring[] name\nfloat64[] position\nfloat64[] velocity\nfloat64[] effort\n",
  "geometry_msgs/msg/Point": "float64 x\nfloat64 y\nfloat64 z\n",
  "geometry_msgs/msg/Quaternion": "float64 x 0\nfloat64 y 0\nfloat64 z 0\nfloat64 w 1\n",
  "geometry_msgs/msg/Pose": "Point position\nQuaternion orientation\n",
  "geometry_msgs/msg/PoseStamped": "std_msgs/Header header\nPose pose\n",
  "geometry_msgs/msg/Vector3": "float64 x\nfloat64 y\nfloat64 z\n",
  "geometry_msgs/msg/Twist": "Vector3  linear\nVector3  angular\n",
  "geometry_msgs/msg/TwistStamped": "std_msgs/Header header\nTwist twist\n",
  "std_msgs/msg/MultiArrayDimension": "string label\nuint32 size\nuint32 stride\n",
  "std_msgs/msg/MultiArrayLayout": "MultiArrayDimension[] dim\nuint32 data_offset\n",
  "std_msgs/msg/Float64MultiArray": "MultiArrayLayout  layout\nfloat64[]         data\n",
};
