"""Transfer probes on frozen features (kNN, NCM, linear, multi-label, fine-tune) and preprocessing records."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.eval.features import Preprocessing, PreprocessingError, extract_features
from pretrainlab.eval.finetune import decay_groups, finetune, layer_id, _Classifier
from pretrainlab.eval.knn import knn_eval, knn_scores, select_knn
from pretrainlab.eval.linear_probe import fit_logreg, linear_probe
from pretrainlab.eval.multilabel import multilabel_metrics
from pretrainlab.eval.ncm import NCM, ncm_eval


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny problems: thread start-up costs more than it saves on a loaded machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def blobs(n_per: int, n_classes: int = 4, dim: int = 16, noise: float = 0.5, seed: int = 0, offset: float = 0.0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(n_classes, dim, generator=torch.Generator().manual_seed(123)) * 2
    y = torch.arange(n_classes).repeat_interleave(n_per)
    return centers[y] + offset + noise * torch.randn(len(y), dim, generator=g), y


def test_knn_reference_values():
    bank = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    labels = torch.tensor([0, 1, 1])
    q = torch.tensor([[1.0, 0.0]])
    s = knn_scores(bank, labels, q, num_classes=2, k=2, temperature=0.5)
    # neighbours: bank[0] (cos 1.0, class 0) and bank[2] (cos 0.6, class 1)
    assert torch.allclose(s, torch.tensor([[np.exp(2.0), np.exp(1.2)]], dtype=torch.float32))
    loo = knn_scores(bank, labels, bank, 2, k=1, temperature=0.5, exclude_self=True)
    assert loo[0].argmax() == 1  # its own entry is skipped


def test_knn_separable_vs_random_labels():
    (tr, ytr), (te, yte) = blobs(50), blobs(20, seed=1)
    r = knn_eval(tr, ytr, {"test": (te, yte)}, num_classes=4)
    assert r["test"]["top1"] > 0.95
    shuffled = ytr[torch.randperm(len(ytr), generator=torch.Generator().manual_seed(0))]
    assert knn_eval(tr, shuffled, {"test": (te, yte)}, 4)["test"]["top1"] < 0.5
    assert select_knn(tr, ytr, (te, yte), 4, ks=(1, 20)) in {(1, 0.07), (20, 0.07)}


def test_ncm_cl2n_removes_a_common_offset():
    """Features sharing a large common offset: L2 alone collapses them, centring (CL2N) recovers the classes."""
    (tr, ytr), (te, yte) = blobs(50, offset=50.0), blobs(20, seed=1, offset=50.0)
    cl2n = ncm_eval(tr, ytr, {"test": (te, yte)}, 4)["test"]["top1"]
    assert cl2n > 0.95
    clf = NCM.fit(tr, ytr, 4)
    assert torch.allclose(clf.transform(tr).norm(dim=1), torch.ones(len(tr)))
    manual = torch.cdist(F.normalize(te - tr.mean(0), dim=1), clf.means).argmin(1)
    assert torch.equal(manual, clf.predict(te))


def test_ncm_unseen_class_is_never_predicted():
    tr, ytr = blobs(10, n_classes=3)
    clf = NCM.fit(tr, ytr, num_classes=5)
    assert set(clf.predict(torch.randn(50, 16)).tolist()) <= {0, 1, 2}


def test_linear_probe_selects_wd_on_val_and_reports_test():
    (tr, ytr), (va, yva), (te, yte) = blobs(40, noise=1.5), blobs(20, seed=1, noise=1.5), blobs(20, seed=2, noise=1.5)
    r = linear_probe((tr, ytr), (va, yva), {"test": (te, yte)}, 4, wd_grid=(0.0, 1e-2, 1e3))
    assert r["wd"] in (0.0, 1e-2)  # a huge penalty: near-uniform probabilities, worse val log-loss
    assert r["test"]["top1"] > 0.8
    probe = fit_logreg(tr, ytr, 4, wd=1e3)
    assert probe.weight.abs().max() < 1e-2


def test_linear_probe_matches_sklearn_logistic_regression():
    sklearn = pytest.importorskip("sklearn.linear_model")
    tr, ytr = blobs(30, noise=2.0)
    probe = fit_logreg(tr, ytr, 4, wd=1e-2, max_iter=500)
    z = ((tr.double() - probe.mean) / probe.std).numpy()
    # sklearn minimises sum_i CE + ||W||^2 / (2C); ours mean_i CE + wd/2 ||W||^2  ->  C = 1 / (wd * N)
    ref = sklearn.LogisticRegression(C=1 / (1e-2 * len(tr)), tol=1e-10, max_iter=5000).fit(z, ytr.numpy())
    ours = torch.softmax(probe.scores(tr).double(), 1).numpy()
    assert np.abs(ours - ref.predict_proba(z)).max() < 1e-3


def test_multilabel_metrics_reference_and_probes():
    pytest.importorskip("sklearn")
    y = torch.tensor([[1, 0], [0, 1], [1, 0], [0, 0]]).float()
    perfect = multilabel_metrics(y * 2 - 1, y)
    assert perfect["auc"] == 1.0 and perfect["mAP"] == 1.0
    s = torch.tensor([[0.9, 0.1], [0.8, 0.2], [0.1, 0.3], [0.2, 0.4]])
    # class 0: positives rank 1st and 4th -> AUC 2/4, AP (1 + 2/4)/2; class 1: positive ranks 3rd of 4 -> AUC 1/3, AP 1/3
    m = multilabel_metrics(s, y)
    assert m["auc"] == pytest.approx((0.5 + 1 / 3) / 2) and m["mAP"] == pytest.approx((0.75 + 1 / 3) / 2)
    f, yc = blobs(30, n_classes=3)
    multi = F.one_hot(yc, 3).float()
    r = linear_probe((f, multi), (f, multi), {"test": (f, multi)}, 3, wd_grid=(1e-3,))
    assert r["test"]["mAP"] > 0.95
    assert knn_eval(f, multi, {"test": (f, multi)}, 3)["test"]["auc"] > 0.95


class TinyNet(nn.Module):
    """Stand-in backbone: the interface evaluators use (forward_features, feature_dim)."""

    def __init__(self, channels=3, dim=8):
        super().__init__()
        self.patch_embed = nn.Conv2d(channels, dim, 4, 4)
        self.blocks = nn.ModuleList([nn.Linear(dim, dim) for _ in range(2)])
        self.norm = nn.LayerNorm(dim)
        self.feature_dim = dim

    def forward_features(self, x):
        h = self.patch_embed(x).mean((2, 3))
        for b in self.blocks:
            h = h + torch.relu(b(h))
        return self.norm(h)


def colour_images(n, seed=0, size=8):
    """Class = which channel is bright; uint8 (N, 3, size, size)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.integers(0, 60, (n, 3, size, size)).astype(np.uint8)
    x[np.arange(n), y] += 150
    return x, y


def test_preprocessing_roundtrip_and_bad_input(tmp_path):
    prep = Preprocessing(size=8, mean=[0.5] * 3, std=[0.25] * 3, channels=3, bands=["r", "g", "b"])
    prep.save(tmp_path)
    loaded = Preprocessing.load(tmp_path)
    assert loaded == prep
    x, _ = colour_images(4, size=16)
    out = loaded(x)
    assert out.shape == (4, 3, 8, 8) and out.dtype == torch.float32
    assert torch.allclose(loaded(x[:, :, :8, :8]), (torch.tensor(x[:, :, :8, :8]) / 255.0 - 0.5) / 0.25)
    with pytest.raises(PreprocessingError, match="expected 3 channels.*found 1"):
        loaded(x[:, :1])
    with pytest.raises(PreprocessingError, match="expected dtype uint8.*found float32"):
        loaded(x.astype(np.float32))
    with pytest.raises(PreprocessingError, match=r"expected shape \(N, 3, H, W\), found \(3, 16, 16\)"):
        loaded(x[0])
    with pytest.raises(FileNotFoundError, match="preprocessing.json"):
        Preprocessing.load(tmp_path / "nope")


def test_extract_features_applies_the_checkpoint_preprocessing():
    torch.manual_seed(0)
    net = TinyNet()
    prep = Preprocessing(size=8, mean=[0.5] * 3, std=[0.25] * 3, channels=3)
    x, _ = colour_images(10, size=16)
    f = extract_features(net, x, prep, batch_size=3)
    manual = net.forward_features(F.interpolate(torch.tensor(x).float() / 255, size=(8, 8), mode="bilinear",
                                                antialias=True) * 4 - 2)
    assert torch.allclose(f, manual, atol=1e-5)
    raw = extract_features(net, x, prep, mode="no_normalize")
    assert not torch.allclose(raw, f, atol=1e-2)
    assert prep(x, "none").shape == (10, 3, 16, 16) and prep(x, "no_resize").shape == (10, 3, 16, 16)
    assert torch.allclose(prep(x, "no_resize"), (torch.tensor(x) / 255.0 - 0.5) / 0.25)


def test_layer_decay_groups():
    model = _Classifier(TinyNet(), 3)
    assert layer_id("backbone.patch_embed.weight", 2) == 0
    assert layer_id("backbone.blocks.1.weight", 2) == 2
    assert layer_id("head.weight", 2) == 3
    lrs = {g["base_lr"] for g in decay_groups(model, 1.0, 0.5, 0.0)}
    assert lrs == {1.0, 0.5, 0.25, 0.125}


def test_finetune_learns_and_selects_on_val():
    torch.manual_seed(0)
    prep = Preprocessing(size=8, mean=[0.5] * 3, std=[0.25] * 3, channels=3)
    tr, va, te = colour_images(96, 0), colour_images(48, 1), colour_images(48, 2)
    net = TinyNet()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    r = finetune(net, prep, {"train": tr, "val": va}, {"test": te}, 3, lrs=(1e-2, 1e-5), epochs=4,
                 batch_size=32, layer_decay=0.75)
    assert r["lr"] == 1e-2 and 1 <= r["epochs"] <= 4
    assert r["test"]["top1"] > 0.9
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # the backbone is untouched


def test_finetune_head_starts_at_the_label_prior():
    from pretrainlab.eval.finetune import prior_bias

    multi = torch.tensor([[1, 0], [1, 0], [0, 0], [1, 1]])
    assert torch.allclose(torch.sigmoid(prior_bias(multi, 2)), torch.tensor([0.75, 0.25]))
    single = torch.tensor([0, 0, 0, 2])
    assert torch.allclose(prior_bias(single, 3).softmax(0), torch.tensor([0.75, 0.0, 0.25]), atol=2e-3)
    clf = _Classifier(TinyNet(), 2, multi)
    assert torch.count_nonzero(clf.head.weight) == 0
    assert torch.allclose(torch.sigmoid(clf(torch.randn(3, 3, 8, 8))), torch.tensor([0.75, 0.25]).expand(3, 2))
