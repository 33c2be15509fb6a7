import numpy as np
import pytest
import torch
from torch import nn

from pretrainlab.eval.class_incremental import accuracy_matrix_metrics, class_incremental, task_classes
from pretrainlab.eval.features import Preprocessing

COLOURS = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]])


class PoolNet(nn.Module):
    """Global average pool + a linear map: separable colours stay separable."""

    def __init__(self, dim=8):
        super().__init__()
        torch.manual_seed(0)
        self.proj = nn.Linear(3, dim)
        self.feature_dim = dim

    def forward_features(self, x):
        return self.proj(x.mean((2, 3)))


def colour_world(n, seed):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(COLOURS)), n)
    x = (COLOURS[y][:, :, None, None] * 180 + rng.integers(0, 60, (len(y), 3, 8, 8))).astype(np.uint8)
    return x, y


PREP = Preprocessing(size=8, mean=[0.5] * 3, std=[0.25] * 3, channels=3)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny tensors: one thread avoids oversubscription on a shared machine."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_task_classes_partition_is_seeded():
    tasks = task_classes(12, 4, seed=3)
    assert sorted(np.concatenate(tasks).tolist()) == list(range(12)) and [len(t) for t in tasks] == [3] * 4
    assert all((a == b).all() for a, b in zip(tasks, task_classes(12, 4, seed=3)))
    assert any((a != b).any() for a, b in zip(tasks, task_classes(12, 4, seed=4)))
    with pytest.raises(ValueError, match="ci_tasks"):
        task_classes(3, 4)


def test_accuracy_matrix_metrics():
    a = np.array([[0.9, 0.0, 0.0], [0.5, 0.8, 0.0], [0.3, 0.6, 0.7]])
    m = accuracy_matrix_metrics(a, [0.9, 0.65, 0.5])
    assert m["acc"] == 0.5 and m["avg_inc_acc"] == pytest.approx(0.6833333)
    assert m["forgetting"] == pytest.approx(((0.9 - 0.3) + (0.8 - 0.6)) / 2)


def run(method, epochs=10, net=None):
    train, test = colour_world(20, 0), colour_world(10, 1)
    return class_incremental(method, net or PoolNet(), PREP, train, {"test": test}, num_classes=6, n_tasks=3,
                             epochs=epochs, lr=1e-2, batch_size=16)["test"]


def test_ncm_does_not_forget_but_a_sequential_linear_head_does():
    ncm, lin, joint = run("ncm"), run("linear"), run("joint", epochs=4)
    assert ncm["acc"] > 0.95 and ncm["forgetting"] < 0.05
    assert joint["acc"] > 0.9
    # Exemplar-free sequential training only ever sees the newest classes: earlier tasks are overwritten.
    assert lin["forgetting"] > 0.4 and lin["acc"] < ncm["acc"] - 0.2 and lin["avg_inc_acc"] > lin["acc"]


def test_sequential_finetuning_forgets_and_leaves_the_backbone_untouched():
    net = PoolNet()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    ft = run("finetune", epochs=20, net=net)
    assert ft["forgetting"] > 0.3 and ft["acc"] < 0.8
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


def test_errors_name_the_key():
    x, y = colour_world(2, 0)
    with pytest.raises(ValueError, match="eval.ci_method"):
        class_incremental("replay", PoolNet(), PREP, (x, y), {"test": (x, y)}, 6)
    with pytest.raises(ValueError, match="single-label"):
        class_incremental("ncm", PoolNet(), PREP, (x, np.eye(6)[y]), {"test": (x, y)}, 6)
