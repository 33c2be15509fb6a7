"""``ImageWorldConfig`` (every knob of every image world) and the ``ImageData``/``ImageSplit`` containers.

One flat dataclass serves all kinds so the generic loader in ``pretrainlab.config`` can build it from
YAML; kind-specific fields carry a prefix (``fractal_``, ``sat_``, ``xray_``) and are ignored by the
other kinds. Pixel conventions shared by every world:

* ``ImageSplit.images`` is ``(N, C, H, W)``: ``uint8`` (``preprocessing["scale"] == 255``) or
  ``float32`` reflectance for multi-band tiles (``scale == 10000``). Divide by ``scale`` to get the
  ``[0, 1]`` floats that ``data.image_augment.augment`` expects.
* ``preprocessing["mean"]``/``["std"]`` are per channel, in those ``[0, 1]`` units, computed on train.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...config import ConfigError

KINDS = ("shapes", "fractal", "satellite", "xray", "digits", "folder", "npz")
INTERPOLATIONS = ("bilinear", "bicubic", "nearest", "area")


@dataclass
class ImageWorldConfig:
    """Config of one image world (``kind``) and its splits."""

    kind: str = "shapes"
    """One of shapes, fractal, satellite, xray, digits, folder, npz."""
    n_train: int = 1000
    """Train images (for digits/folder/npz: at most this many, 0 = all that remain after val/test)."""
    n_val: int = 200
    """Validation images (also the size of each extra shifted split's val part, if any)."""
    n_test: int = 200
    """Test images (and of ``test_shift``/``test_lowres`` where the world has one)."""
    size: int = 32
    """Height = width of every image in pixels."""
    seed: int = 0
    """Master seed; every image is a pure function of (seed, config, split, index)."""
    path: str = ""
    """folder: a directory with one subfolder per class (or train/val/test subfolders of those);
    npz: a file with ``images`` and ``labels`` arrays."""
    channels: int = 0
    """Output channels: 0 keeps the world's own; 1 or 3 converts (grey -> replicated, RGB -> luma)."""
    interpolation: str = "bilinear"
    """How digits/folder/npz images are resized to ``size`` (and recorded in preprocessing)."""
    # shapes
    label: str = "super"
    """shapes: label by ``super``-class (the sub-class is latent, in ``meta``) or by ``sub``-class."""
    n_super: int = 4
    """shapes: super-classes (round, polygon, line, texture; at most 4)."""
    n_sub: int = 3
    """shapes: sub-classes per super-class (at most 3)."""
    spurious: float = 0.8
    """shapes: P(colour = the class's colour) in train/val/test; otherwise colour is uniform.
    In ``test_shift`` the class -> colour map is rotated by one class at the same strength."""
    spurious_background: float = 0.0
    """shapes: the same knob for the background pattern."""
    # fractal
    fractal_classes: int = 10
    """fractal: classes, one random iterated function system (IFS) each."""
    fractal_maps: tuple[int, int] = (2, 4)
    """fractal: min and max affine maps per IFS."""
    fractal_fill_min: float = 0.2
    """fractal: reject an IFS whose filling rate (share of a 32x32 grid hit) is below this."""
    fractal_points: int = 3000
    """fractal: chaos-game points rendered per image."""
    fractal_jitter: float = 0.1
    """fractal: intra-class scale of the per-image perturbation of one IFS parameter (FractalDB x0.8-1.2 ~ 0.2)."""
    # satellite
    sat_gsd_factor: int = 2
    """satellite: the ``*_lowres`` splits render the same scenes at ``size // sat_gsd_factor`` px."""
    sat_min_frac: float = 0.1
    """satellite: a land-cover class is a positive label when it covers at least this fraction."""
    sat_noise: float = 0.02
    """satellite: per-pixel reflectance noise (fraction of full scale)."""
    sat_smooth: float = 0.15
    """satellite: correlation length of the land-cover field as a fraction of the tile side."""
    sat_label: str = "multi"
    """satellite: ``multi`` = multi-hot classes present (>= sat_min_frac); ``dominant`` = the majority class."""
    # xray
    xray_prevalence: float = 1.0
    """xray: multiplies every finding's probability (0 = all normal)."""
    xray_contrast: float = 1.0
    """xray: scales every finding's contrast and cardiomegaly's enlargement (lower = harder to see)."""
    xray_noise: float = 0.04
    """xray: pixel noise std (fraction of full scale); ``test_shift`` is a second 'scanner' (gamma, noise)."""

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"data.world.kind: {self.kind!r} is not one of {list(KINDS)}")
        if self.size < 4:
            raise ConfigError(f"data.world.size: {self.size} is too small (use at least 4)")
        for key in ("n_train", "n_val", "n_test"):
            if getattr(self, key) < 0:
                raise ConfigError(f"data.world.{key}: must be >= 0")
        if self.channels not in (0, 1, 3):
            raise ConfigError(f"data.world.channels: {self.channels} (use 0 = native, 1 or 3)")
        if self.interpolation not in INTERPOLATIONS:
            raise ConfigError(f"data.world.interpolation: {self.interpolation!r} is not one of {list(INTERPOLATIONS)}")
        if self.sat_label not in ("multi", "dominant"):
            raise ConfigError(f"data.world.sat_label: {self.sat_label!r} (use 'multi' or 'dominant')")
        if self.label not in ("super", "sub"):
            raise ConfigError(f"data.world.label: {self.label!r} (use 'super' or 'sub')")
        if not (1 <= self.n_super <= 4 and 1 <= self.n_sub <= 3):
            raise ConfigError("data.world.n_super must be in 1..4 and data.world.n_sub in 1..3")
        for key in ("spurious", "spurious_background", "sat_min_frac", "fractal_fill_min"):
            if not 0.0 <= getattr(self, key) <= 1.0:
                raise ConfigError(f"data.world.{key}: {getattr(self, key)} must be in [0, 1]")
        if self.xray_contrast < 0 or self.xray_prevalence < 0:
            raise ConfigError("data.world.xray_contrast and data.world.xray_prevalence must be >= 0")
        lo, hi = self.fractal_maps
        if not 2 <= lo <= hi <= 8:
            raise ConfigError(f"data.world.fractal_maps: {self.fractal_maps} must satisfy 2 <= min <= max <= 8")
        if self.sat_gsd_factor < 1 or self.size // self.sat_gsd_factor < 2:
            raise ConfigError(f"data.world.sat_gsd_factor: {self.sat_gsd_factor} leaves fewer than 2 px "
                              f"at size {self.size}")
        if self.kind in ("folder", "npz") and not self.path:
            raise ConfigError(f"data.world.path: kind '{self.kind}' needs a path (e.g. data.world.path=my_images/)")


@dataclass
class ImageSplit:
    """One split: images ``(N, C, H, W)``, labels ``(N,)`` int64 or ``(N, K)`` float32 multi-hot, per-image meta."""

    images: np.ndarray
    labels: np.ndarray
    meta: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.images)


@dataclass
class ImageData:
    """A built image world: splits plus what a model needs to know to read them."""

    splits: dict[str, ImageSplit]
    num_classes: int
    multilabel: bool
    channels: int
    class_names: list[str]
    preprocessing: dict
    fingerprint: str = ""
