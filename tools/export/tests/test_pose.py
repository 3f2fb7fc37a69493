"""compute_new_pose in torch ops vs upstream's scipy version."""

import math

import numpy as np
import pytest
import torch

from vjepa2_export.modules import compute_new_pose

Rotation = pytest.importorskip("scipy.spatial.transform").Rotation


def scipy_new_pose(pose, action):
    xyz = pose[:3] + action[:3]
    m = Rotation.from_euler("xyz", action[3:6]).as_matrix() @ Rotation.from_euler("xyz", pose[3:6]).as_matrix()
    ang = Rotation.from_matrix(m).as_euler("xyz")
    return np.concatenate([xyz, ang, np.clip(pose[6:] + action[6:], 0, 1)])


def test_regular_case_matches_scipy():
    rng = np.random.default_rng(0)
    poses = np.concatenate([rng.normal(size=(500, 3)), rng.uniform(-3, 3, (500, 1)), rng.uniform(-1.4, 1.4, (500, 1)),
                            rng.uniform(-3, 3, (500, 1)), rng.uniform(-0.2, 1.2, (500, 1))], 1)
    actions = np.concatenate([rng.normal(size=(500, 3)) * 0.05, rng.normal(size=(500, 3)) * 0.3,
                              rng.uniform(-0.75, 0.75, (500, 1))], 1)
    ours = compute_new_pose(torch.tensor(poses, dtype=torch.float32), torch.tensor(actions, dtype=torch.float32)).numpy()
    ref = np.stack([scipy_new_pose(p, a) for p, a in zip(poses, actions)])
    diff = np.abs(ours - ref)
    diff[:, 3:6] = np.minimum(diff[:, 3:6], 2 * math.pi - diff[:, 3:6])  # +-pi wrap
    assert diff.max() < 2e-5


@pytest.mark.parametrize("b", [math.pi / 2, -math.pi / 2])
def test_gimbal_lock_follows_scipy_convention(b):
    """At b = +-pi/2 scipy sets the third angle to 0 (and warns); so do we."""
    pose = np.array([0, 0, 0, 0.3, b, 0.5, 0.5])
    ours = compute_new_pose(torch.tensor(pose, dtype=torch.float64)[None], torch.zeros(1, 7, dtype=torch.float64))[0].numpy()
    with pytest.warns(UserWarning):
        ref = scipy_new_pose(pose, np.zeros(7))
    assert np.allclose(ours, ref, atol=1e-6)
    assert ours[5] == 0.0
