"""User matrices (kind file): a world from .npy / .csv files, and every bad input named by file, row and fix."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.worlds.latent import LatentDataError, LatentWorldConfig, build_latent_world, read_matrix


def _files(tmp_path, n_unl=50, n_lab=60, d=3, classes=2):
    rng = np.random.default_rng(0)
    unl, lab = tmp_path / "unl.npy", tmp_path / "lab.csv"
    np.save(unl, rng.normal(size=(n_unl, d)).astype("float32"))
    x = rng.normal(size=(n_lab, d))
    y = np.arange(n_lab) % classes
    lab.write_text("a,b,c,label\n" + "\n".join(",".join(f"{v:g}" for v in (*r, c)) for r, c in zip(x, y)) + "\n")
    return unl, lab


def test_file_world(tmp_path):
    unl, lab = _files(tmp_path)
    cfg = LatentWorldConfig(kind="file", path=str(unl), labeled_path=str(lab), n_labeled=20, label_draws=3,
                            test_frac=0.25)
    data = build_latent_world(cfg, 0, tmp_path / "cache")
    assert data.unlabeled.shape == (50, 3) and data.pool_x.shape == (3, 20, 3) and data.test_x.shape == (15, 3)
    assert data.num_classes == 2 and data.truth is None and data.test_z is None
    again = build_latent_world(cfg, 0, tmp_path / "cache2")
    assert np.array_equal(data.pool_x, again.pool_x) and np.array_equal(data.test_y, again.test_y)


def _write(path, text):
    path.write_text(text)
    return path


def test_missing_and_unknown_type(tmp_path):
    with pytest.raises(LatentDataError, match=r"nope\.npy: no such file; expected a \.npy or \.csv matrix"):
        read_matrix(tmp_path / "nope.npy")
    with pytest.raises(LatentDataError, match=r"x\.txt: unknown file type '\.txt'; use \.npy or \.csv"):
        read_matrix(_write(tmp_path / "x.txt", "1,2"))


def test_wrong_shape(tmp_path):
    np.save(tmp_path / "v.npy", np.zeros(5))
    with pytest.raises(LatentDataError, match=r"v\.npy: expected a matrix of shape \(rows, d\), got shape \(5,\)"):
        read_matrix(tmp_path / "v.npy")
    np.save(tmp_path / "m.npy", np.zeros((4, 3)))
    with pytest.raises(LatentDataError, match=r"m\.npy: expected shape \(rows, 5\), got shape \(4, 3\)"):
        read_matrix(tmp_path / "m.npy", columns=5)


def test_labeled_file_needs_d_plus_one_columns(tmp_path):
    unl, _ = _files(tmp_path)
    np.save(tmp_path / "lab.npy", np.zeros((30, 3)))
    cfg = LatentWorldConfig(kind="file", path=str(unl), labeled_path=str(tmp_path / "lab.npy"), n_labeled=5)
    with pytest.raises(LatentDataError, match=r"lab\.npy: expected shape \(rows, d \+ 1\) = \(rows, 4\) with the class last, got shape \(30, 3\)"):
        build_latent_world(cfg, 0, tmp_path / "c")


def test_nan_rows(tmp_path):
    m = np.zeros((6, 2))
    m[4, 1] = np.nan
    np.save(tmp_path / "n.npy", m)
    with pytest.raises(LatentDataError, match=r"n\.npy: row 5 has a NaN or infinite value \(1 such rows\)"):
        read_matrix(tmp_path / "n.npy")
    csv = _write(tmp_path / "n.csv", "x,y\n1,2\n\n3,\n")  # header, a row, a blank line, an empty cell
    with pytest.raises(LatentDataError, match=r"n\.csv: row 2 \(line 4\) has a NaN"):
        read_matrix(csv)


def test_csv_errors(tmp_path):
    with pytest.raises(LatentDataError, match=r"b\.csv: line 3: 'abc' is not a number"):
        read_matrix(_write(tmp_path / "b.csv", "x,y\n1,2\n3,abc\n"))
    with pytest.raises(LatentDataError, match=r"r\.csv: line 2 has 3 columns, the rows before it 2"):
        read_matrix(_write(tmp_path / "r.csv", "1,2\n3,4,5\n"))
    with pytest.raises(LatentDataError, match=r"e\.csv: no data rows"):
        read_matrix(_write(tmp_path / "e.csv", "x,y\n"))


def test_bad_labels_and_small_pool(tmp_path):
    unl, _ = _files(tmp_path)
    lab = _write(tmp_path / "l.csv", "0,0,0,1\n1,1,1,0.5\n")
    cfg = LatentWorldConfig(kind="file", path=str(unl), labeled_path=str(lab), n_labeled=1)
    with pytest.raises(LatentDataError, match=r"l\.csv: row 2: class 0\.5 in the last column is not an integer"):
        build_latent_world(cfg, 0, tmp_path / "c")
    lab = _write(tmp_path / "one.csv", "0,0,0,1\n1,1,1,1\n")
    with pytest.raises(LatentDataError, match="need at least 2 classes"):
        build_latent_world(LatentWorldConfig(kind="file", path=str(unl), labeled_path=str(lab), n_labeled=1), 0,
                           tmp_path / "c")
    _, lab = _files(tmp_path, n_lab=20)
    with pytest.raises(LatentDataError, match=r"n_labeled=100 needs a pool at least that large"):
        build_latent_world(LatentWorldConfig(kind="file", path=str(unl), labeled_path=str(lab), n_labeled=100), 0,
                           tmp_path / "c")
