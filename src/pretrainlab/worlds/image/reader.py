"""Readers for user images: a folder with one subfolder per class, or a ``.npz`` file of arrays.

Folder layouts (``data.world.path``)::

    root/<class>/<file>                  one pool, carved into test, val, train by a seeded permutation
    root/train/<class>/<file> [root/val/..., root/test/...]   given splits (missing val/test carved from train)

Files: ``.png`` (read by matplotlib), ``.ppm .pgm .jpg .jpeg .bmp`` (matplotlib, through the Pillow it
depends on), ``.npy`` arrays ``(H, W)``, ``(H, W, C)`` or ``(C, H, W)``; uint8, uint16 or floats in [0, 1].
``.npz``: ``images`` ``(N, H, W)``, ``(N, C, H, W)`` or ``(N, H, W, C)`` and ``labels`` ``(N,)`` ints or
``(N, K)`` multi-hot, optional ``class_names``; or ``train_images``/``train_labels`` (+ ``val_``/``test_``).
Every image is converted to ``channels`` (alpha dropped, grey replicated, RGB -> luma) and resized to
``size``; output is uint8. Bad files get an ``ImageReadError`` naming the file, what was found and
what was expected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import resize_array, rng, to_uint8
from .config import ImageData, ImageSplit

IMAGE_EXTS = (".png", ".ppm", ".pgm", ".jpg", ".jpeg", ".bmp", ".npy")
SPLITS = ("train", "val", "test")
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


class ImageReadError(ValueError):
    """A user image file or array is unreadable or has the wrong shape/dtype; the message names it."""


def to_unit(arr: np.ndarray, where: str) -> np.ndarray:
    """Pixels as float32 in ``[0, 1]`` (uint8 / 255, uint16 / 65535, floats checked)."""
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / 65535.0
    if arr.dtype == np.bool_:
        return arr.astype(np.float32)
    if np.issubdtype(arr.dtype, np.floating):
        lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo >= 0.0 and hi <= 1.0):
            raise ImageReadError(f"{where}: float pixels must lie in [0, 1], found [{lo:g}, {hi:g}] "
                                 f"(divide by the maximum, or store uint8)")
        return arr.astype(np.float32)
    raise ImageReadError(f"{where}: pixel dtype {arr.dtype} is not supported "
                         f"(expected uint8, uint16 or float in [0, 1])")


def to_chw(arr: np.ndarray, where: str) -> np.ndarray:
    """``(H, W)``, ``(H, W, C)`` or ``(C, H, W)`` -> ``(C, H, W)`` with alpha dropped."""
    if arr.ndim == 2:
        arr = arr[None]
    elif arr.ndim == 3 and arr.shape[-1] in (1, 3, 4) and arr.shape[0] not in (1, 3, 4):
        arr = arr.transpose(2, 0, 1)
    elif not (arr.ndim == 3 and arr.shape[0] in (1, 3, 4)):
        raise ImageReadError(f"{where}: image shape {arr.shape} is not (H, W), (H, W, C) or (C, H, W) "
                             f"with C in 1, 3, 4")
    return arr[:3] if arr.shape[0] == 4 else arr


def convert_channels(x: np.ndarray, channels: int, where: str) -> np.ndarray:
    """``(..., C, H, W)`` to ``channels`` channels (1 -> 3 replicates, 3 -> 1 is luma)."""
    c = x.shape[-3]
    if c == channels:
        return x
    if c == 1 and channels == 3:
        return np.repeat(x, 3, axis=-3)
    if c == 3 and channels == 1:
        return np.tensordot(x, LUMA, axes=([-3], [0]))[..., None, :, :].astype(x.dtype)
    raise ImageReadError(f"{where}: cannot convert {c} channel(s) to {channels} "
                         f"(set data.world.channels=0 to keep them)")


def read_image(path: Path) -> np.ndarray:
    """One file as float32 ``(C, H, W)`` in ``[0, 1]``."""
    if path.suffix.lower() not in IMAGE_EXTS:
        raise ImageReadError(f"{path}: unsupported file type (expected one of {', '.join(IMAGE_EXTS)})")
    try:
        if path.suffix.lower() == ".npy":
            arr = np.load(path, allow_pickle=False)
        else:
            import matplotlib.image as mpimg

            arr = np.asarray(mpimg.imread(path))
    except Exception as e:  # noqa: BLE001 - any decoder failure is the file's fault; name it
        raise ImageReadError(f"{path}: cannot read as an image ({type(e).__name__}: {e}); "
                             f"expected a valid {path.suffix} file") from None
    return to_chw(to_unit(arr, str(path)), str(path))


def carve_splits(images: np.ndarray, labels: np.ndarray, cfg, where: str, n_val: int | None = None,
                 n_test: int | None = None) -> dict[str, ImageSplit]:
    """Test, then val, then up to ``n_train`` (0 = all) train items from one seeded permutation."""
    n_val = cfg.n_val if n_val is None else n_val
    n_test = cfg.n_test if n_test is None else n_test
    n = len(images)
    if n_val + n_test >= n:
        raise ImageReadError(f"{where}: n_val + n_test = {n_val + n_test} leaves no training images out of {n}; "
                             f"lower data.world.n_val / data.world.n_test")
    perm = rng(cfg.seed, "carve", n).permutation(n)
    rest = perm[n_val + n_test:]
    parts = {"train": rest[: cfg.n_train] if cfg.n_train else rest, "val": perm[n_test:n_test + n_val],
             "test": perm[:n_test]}
    return {k: ImageSplit(images[idx], labels[idx], {"source_index": idx.astype(np.int64)}) for k, idx in parts.items()}


def _load_class_dirs(root: Path, classes: list[str], cfg, state: dict) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    for c, name in enumerate(classes):
        folder = root / name
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if folder.is_dir() else []
        for p in files:
            x = read_image(p)
            target = state.setdefault("channels", cfg.channels or x.shape[0])
            if not cfg.channels and x.shape[0] != target:
                raise ImageReadError(f"{p}: has {x.shape[0]} channel(s) but earlier images have {target}; "
                                     f"set data.world.channels={target} (or 1/3) to convert")
            x = convert_channels(x, target, str(p))[None]
            images.append(to_uint8(resize_array(x, cfg.size, cfg.interpolation)[0]))
            labels.append(c)
    if not images:
        raise ImageReadError(f"{root}: no image files under {', '.join(classes)} (expected {', '.join(IMAGE_EXTS)})")
    return np.stack(images), np.asarray(labels, np.int64)


def read_folder(cfg) -> ImageData:
    root = Path(cfg.path).expanduser()
    if not root.is_dir():
        raise ImageReadError(f"{root}: not a directory (data.world.path must be a folder with one subfolder per class)")
    given = [s for s in SPLITS if (root / s).is_dir()]
    base = root / "train" if given else root
    if given and "train" not in given:
        raise ImageReadError(f"{root}: has {given} but no train/ folder (expected root/train/<class>/...)")
    classes = sorted(p.name for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise ImageReadError(f"{base}: no class subfolders (expected {base}/<class_name>/<image files>)")
    state: dict = {}
    pools = {s: _load_class_dirs(root / s if given else root, classes, cfg, state) for s in (given or ["train"])}
    splits = carve_splits(*pools["train"], cfg, str(base), n_val=0 if "val" in pools else None,
                          n_test=0 if "test" in pools else None)
    for s in ("val", "test"):
        if s in pools:
            splits[s] = ImageSplit(pools[s][0], pools[s][1], {"source_index": np.arange(len(pools[s][1]))})
    return _user_data(splits, classes, state["channels"], False, cfg)


def _npz_arrays(z, prefix: str, path: Path, cfg) -> tuple[np.ndarray, np.ndarray]:
    where = f"{path}[{prefix}images]"
    imgs = z[f"{prefix}images"]
    if imgs.ndim == 3:
        imgs = imgs[:, None]
    elif imgs.ndim == 4 and imgs.shape[1] not in (1, 3, 4) and imgs.shape[-1] in (1, 3, 4):
        imgs = imgs.transpose(0, 3, 1, 2)
    elif not (imgs.ndim == 4 and imgs.shape[1] in (1, 3, 4)):
        raise ImageReadError(f"{where}: shape {imgs.shape} is not (N, H, W), (N, C, H, W) or (N, H, W, C) "
                             f"with C in 1, 3, 4")
    x = to_unit(imgs[:, :3], where)
    x = convert_channels(x, cfg.channels, where) if cfg.channels else x
    labels = np.asarray(z[f"{prefix}labels"])
    lw = f"{path}[{prefix}labels]"
    if len(labels) != len(x):
        raise ImageReadError(f"{lw}: {len(labels)} labels for {len(x)} images (expected one per image)")
    if labels.ndim == 2:
        if not np.isin(labels, (0, 1)).all():
            raise ImageReadError(f"{lw}: 2-D labels must be multi-hot 0/1, found other values")
        labels = labels.astype(np.float32)
    elif labels.ndim == 1:
        if not np.issubdtype(labels.dtype, np.number) or (labels != np.round(labels)).any() or (labels < 0).any():
            raise ImageReadError(f"{lw}: labels must be non-negative integers, found dtype {labels.dtype}")
        labels = labels.astype(np.int64)
    else:
        raise ImageReadError(f"{lw}: shape {labels.shape} (expected (N,) class ids or (N, K) multi-hot)")
    return to_uint8(resize_array(x, cfg.size, cfg.interpolation)), labels


def read_npz(cfg) -> ImageData:
    path = Path(cfg.path).expanduser()
    try:
        z = np.load(path, allow_pickle=False)
        keys = set(z.files)
    except Exception as e:  # noqa: BLE001
        raise ImageReadError(f"{path}: cannot read as .npz ({type(e).__name__}: {e})") from None
    given = [s for s in SPLITS if {f"{s}_images", f"{s}_labels"} <= keys]
    if not given and not {"images", "labels"} <= keys:
        raise ImageReadError(f"{path}: found arrays {sorted(keys)}; expected 'images' and 'labels' "
                             f"(or 'train_images' and 'train_labels')")
    if given:
        pools = {s: _npz_arrays(z, f"{s}_", path, cfg) for s in given}
    else:
        pools = {"train": _npz_arrays(z, "", path, cfg)}
    if "train" not in pools:
        raise ImageReadError(f"{path}: has {given} splits but no train_images/train_labels")
    splits = carve_splits(*pools["train"], cfg, str(path), n_val=0 if "val" in pools else None,
                          n_test=0 if "test" in pools else None)
    for s in ("val", "test"):
        if s in pools:
            splits[s] = ImageSplit(pools[s][0], pools[s][1], {"source_index": np.arange(len(pools[s][1]))})
    y = pools["train"][1]
    multilabel = y.ndim == 2
    k = y.shape[1] if multilabel else int(max(int(p[1].max(initial=-1)) for p in pools.values())) + 1
    names = [str(n) for n in z["class_names"]] if "class_names" in keys else [str(i) for i in range(k)]
    if len(names) < k:
        raise ImageReadError(f"{path}[class_names]: {len(names)} names for {k} classes")
    return _user_data(splits, names, pools["train"][0].shape[1], multilabel, cfg)


def _user_data(splits, names, channels, multilabel, cfg) -> ImageData:
    bands = ["gray"] if channels == 1 else ["red", "green", "blue"]
    return ImageData(splits=splits, num_classes=len(names), multilabel=multilabel, channels=channels,
                     class_names=list(names), preprocessing={"bands": bands, "scale": 255.0})


def source_stamp(cfg) -> list:
    """(relative path, bytes, mtime_ns) of every input file, so the cache key changes with the data."""
    root = Path(cfg.path).expanduser()
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    return [(str(p.relative_to(root)) if p != root else p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
