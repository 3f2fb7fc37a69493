import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(TRAIN_DIR))
sys.path.insert(0, TRAIN_DIR)
sys.path.insert(0, os.path.join(REPO, "tools", "export"))
