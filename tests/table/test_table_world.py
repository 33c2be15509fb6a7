"""Table world: a pure function of its config, varied schemas over shared concepts, held-out tables apart,
the cache, the vocabulary and the encoding."""

import numpy as np
import pytest

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.worlds.table import TableWorldConfig, Vocab, build_table_world, build_tables
from pretrainlab.worlds.table.concepts import CONCEPTS, binary_concepts

SMALL = dict(n_pretrain_tables=6, pretrain_rows=40, n_downstream_tables=2, downstream_train_rows=64,
             downstream_test_rows=50)


def test_world_is_deterministic_and_seeded():
    a, b = build_table_world(TableWorldConfig(**SMALL)), build_table_world(TableWorldConfig(**SMALL))
    for name in ("names", "kinds", "num", "cat", "miss", "table", "y", "test"):
        assert np.array_equal(getattr(a.pretrain, name), getattr(b.pretrain, name))
        assert np.array_equal(getattr(a.downstream, name), getattr(b.downstream, name))
    c = build_table_world(TableWorldConfig(**{**SMALL, "seed": 1}))
    assert not np.array_equal(a.pretrain.num, c.pretrain.num)


def test_schemas_vary_and_held_out_tables_have_binary_targets():
    pre, down = build_tables(TableWorldConfig(**SMALL))
    assert len(pre) == 6 and len(down) == 2 and all(t.n_rows == 40 for t in pre)
    assert len({tuple(t.columns) for t in pre}) == 6  # no two schemas alike
    assert all(5 <= len(t.columns) <= 12 for t in pre + down)
    assert {"numeric", "categorical"} <= {k for t in pre for k in t.kinds}
    for t in down:
        assert t.n_rows == 114 and t.n_train == 64 and set(np.unique(t.y)) == {0, 1}
        target = next(i for i in binary_concepts() if CONCEPTS[i].names[0] == t.target)
        assert target not in t.concepts  # the target is not among the cells
        assert tuple(t.columns) not in {tuple(p.columns) for p in pre}


def test_cache_round_trip(tmp_path):
    a = build_table_world(TableWorldConfig(**SMALL), tmp_path)
    (path,) = tmp_path.glob("table_*.npz")
    b = build_table_world(TableWorldConfig(**SMALL), tmp_path)  # loaded from the file
    assert np.array_equal(a.downstream.cat, b.downstream.cat) and a.info == b.info and len(a.vocab) == len(b.vocab)
    assert a.fingerprint in path.name


def test_vocab_buckets_unknown_words():
    v = Vocab.world()
    assert v.id("income") == v.words.index("income") and v.id("INCOME") == v.id("income")
    unknown = v.id("zebra-stripes")
    assert len(v.words) <= unknown < len(v) and v.id("zebra-stripes") == unknown
    assert v.name_ids("Annual_Income") == [v.id("annual"), v.id("income"), 0, 0]


def test_encoding_normalises_with_train_rows_only():
    d = build_table_world(TableWorldConfig(**SMALL))
    enc = d.downstream
    rows = enc.rows(0, test=False)
    numeric = np.flatnonzero(enc.kinds[0] == 1)
    j = numeric[0]
    present = rows[~enc.miss[rows, j]]
    assert abs(enc.num[present, j].mean()) < 1e-4 and enc.num[present, j].std() == pytest.approx(1.0, abs=1e-3)
    assert (enc.cat[enc.miss & (enc.kinds[enc.table] == 2)] == 3).all()  # [MISSING]


def test_world_config_errors():
    with pytest.raises(ConfigError, match="min_cols <= max_cols"):
        from_dict(TableWorldConfig, {"min_cols": 9, "max_cols": 3})
    with pytest.raises(ConfigError, match="unknown key 'n_pretrain_table'.*did you mean 'n_pretrain_tables'"):
        from_dict(TableWorldConfig, {"n_pretrain_table": 3})
