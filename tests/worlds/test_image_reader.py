"""User image folders and .npz files: layouts, conversion, and errors that name the file and the fix."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from pretrainlab.worlds.image import ImageReadError, ImageWorldConfig, build_image_world


def _folder(root, n_per_class=6, size=10):
    gen = np.random.default_rng(0)
    for c, name in enumerate(["cat", "dog"]):
        (root / name).mkdir(parents=True)
        for i in range(n_per_class):
            img = np.full((size, size, 3), 0.2 + 0.6 * c) + 0.05 * gen.random((size, size, 3))
            if i % 2:
                plt.imsave(root / name / f"{i}.png", np.clip(img, 0, 1))
            else:
                np.save(root / name / f"{i}.npy", (np.clip(img, 0, 1) * 255).astype(np.uint8))
    return root


def _cfg(path, kind="folder", **kw):
    return ImageWorldConfig(kind=kind, path=str(path), **{"n_train": 0, "n_val": 2, "n_test": 2, "size": 16, **kw})


def test_folder_of_classes(tmp_path):
    data = build_image_world(_cfg(_folder(tmp_path / "imgs")))
    assert data.class_names == ["cat", "dog"] and data.channels == 3 and not data.multilabel
    tr = data.splits["train"]
    assert tr.images.shape == (8, 3, 16, 16) and tr.images.dtype == np.uint8
    assert len(data.splits["val"]) == len(data.splits["test"]) == 2
    bright = tr.images.reshape(len(tr), -1).mean(1)
    assert bright[tr.labels == 1].min() > bright[tr.labels == 0].max()
    grey = build_image_world(_cfg(tmp_path / "imgs", channels=1))
    assert grey.splits["train"].images.shape[1] == 1 and grey.preprocessing["bands"] == ["gray"]


def test_folder_with_given_splits(tmp_path):
    _folder(tmp_path / "ds" / "train")
    _folder(tmp_path / "ds" / "test", n_per_class=2)
    data = build_image_world(_cfg(tmp_path / "ds"))
    assert len(data.splits["test"]) == 4 and len(data.splits["val"]) == 2 and len(data.splits["train"]) == 10


def test_cache_key_follows_the_files(tmp_path):
    root = _folder(tmp_path / "imgs")
    first = build_image_world(_cfg(root), cache_dir=tmp_path / "cache")
    np.save(root / "cat" / "extra.npy", np.zeros((10, 10, 3), np.uint8))
    second = build_image_world(_cfg(root), cache_dir=tmp_path / "cache")
    assert second.fingerprint != first.fingerprint and len(second.splits["train"]) == 9


@pytest.mark.parametrize("name,content,match", [
    ("bad.png", b"not a png at all", r"bad\.png: cannot read as an image"),
    ("wide.npy", np.zeros((5, 5, 7), np.uint8), r"wide\.npy: image shape \(5, 5, 7\) is not \(H, W\)"),
    ("hot.npy", np.full((5, 5), 3.0, np.float32), r"hot\.npy: float pixels must lie in \[0, 1\]"),
    ("notes.txt", b"hello", r"notes\.txt: unsupported file type"),
    ("grey.npy", np.zeros((10, 10), np.uint8),
     r"grey\.npy: has 1 channel\(s\) but earlier images have 3; set data.world.channels"),
])
def test_folder_errors_name_the_file(tmp_path, name, content, match):
    root = _folder(tmp_path / "imgs")
    target = root / "dog" / name
    np.save(target, content) if isinstance(content, np.ndarray) else target.write_bytes(content)
    with pytest.raises(ImageReadError, match=match):
        build_image_world(_cfg(root))


def test_folder_layout_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImageReadError, match="no class subfolders"):
        build_image_world(_cfg(tmp_path / "empty"))
    with pytest.raises(ImageReadError, match="not a directory"):
        build_image_world(_cfg(tmp_path / "missing"))
    with pytest.raises(ImageReadError, match="leaves no training images"):
        build_image_world(_cfg(_folder(tmp_path / "imgs"), n_val=6, n_test=6))


def test_npz_layouts(tmp_path):
    gen = np.random.default_rng(1)
    nhwc = (gen.random((30, 12, 12, 3)) * 255).astype(np.uint8)
    np.savez(tmp_path / "a.npz", images=nhwc, labels=np.arange(30) % 3, class_names=np.array(["x", "y", "z"]))
    data = build_image_world(_cfg(tmp_path / "a.npz", kind="npz", n_val=5, n_test=5))
    tr = data.splits["train"]
    assert data.class_names == ["x", "y", "z"] and tr.images.shape == (20, 3, 16, 16)
    idx = tr.meta["source_index"]
    np.testing.assert_array_equal(tr.labels, idx % 3)
    multi = (gen.random((20, 4)) < 0.5).astype(np.uint8)
    np.savez(tmp_path / "b.npz", train_images=gen.random((20, 1, 8, 8)).astype(np.float32), train_labels=multi,
             test_images=gen.random((6, 1, 8, 8)).astype(np.float32), test_labels=multi[:6])
    data = build_image_world(_cfg(tmp_path / "b.npz", kind="npz", n_val=4))
    assert data.multilabel and data.num_classes == 4 and data.channels == 1
    assert len(data.splits["test"]) == 6 and len(data.splits["train"]) == 16
    assert data.splits["train"].labels.dtype == np.float32


@pytest.mark.parametrize("arrays,match", [
    (dict(pictures=np.zeros((4, 8, 8), np.uint8)), r"found arrays \['pictures'\]; expected 'images' and 'labels'"),
    (dict(images=np.zeros((4, 8, 8), np.uint8), labels=np.zeros(3, int)), r"\[labels\]: 3 labels for 4 images"),
    (dict(images=np.zeros((4, 2, 8, 8, 3), np.uint8), labels=np.zeros(4, int)), r"\[images\]: shape \(4, 2, 8, 8, 3\)"),
    (dict(images=np.zeros((4, 8, 8), np.int32), labels=np.zeros(4, int)), r"pixel dtype int32 is not supported"),
    (dict(images=np.zeros((4, 8, 8), np.uint8), labels=np.array([0, 1, -1, 2])), r"non-negative integers"),
])
def test_npz_errors_name_the_file_and_array(tmp_path, arrays, match):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ImageReadError, match=match) as err:
        build_image_world(_cfg(tmp_path / "bad.npz", kind="npz", n_val=1, n_test=1))
    assert "bad.npz" in str(err.value)
