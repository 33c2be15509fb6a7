"""scikit-learn's bundled handwritten digits (1797 8x8 grey images, 10 classes), upscaled to ``size``.

A real downstream set that needs no download: ``sklearn.datasets.load_digits`` reads a file shipped
inside scikit-learn (optional extra ``vision``). Pixel values 0..16 are mapped to ``[0, 1]``, resized
with ``interpolation`` and stored as ``uint8``. Splits are carved from one seeded permutation: test
first, then val, then up to ``n_train`` train images (0 = all the rest).
"""

from __future__ import annotations

import numpy as np

from .common import resize_array, to_uint8
from .config import ImageData
from .reader import carve_splits


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """``(1797, 1, 8, 8)`` float images in ``[0, 1]`` and int64 labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("data.world.kind=digits needs scikit-learn: pip install 'pretrainlab[vision]' "
                          "(or pip install scikit-learn)") from None
    d = load_digits()
    return (d.images[:, None] / 16.0).astype(np.float32), d.target.astype(np.int64)


def generate(cfg) -> ImageData:
    images, labels = load_digits_arrays()
    images = to_uint8(resize_array(images, cfg.size, cfg.interpolation))
    splits = carve_splits(images, labels, cfg, where="sklearn load_digits (1797 images)")
    return ImageData(splits=splits, num_classes=10, multilabel=False, channels=1,
                     class_names=[str(d) for d in range(10)],
                     preprocessing={"bands": ["gray"], "scale": 255.0, "source_size": 8})
