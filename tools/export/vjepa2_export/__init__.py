"""V-JEPA 2-AC export tool: own module definitions + ONNX export for the vjepa2-mpc runtime."""

__version__ = "0.1.0"
