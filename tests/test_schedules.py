import pytest

from pretrainlab.optim.schedules import lr_at


def test_schedules_reference_values():
    assert lr_at("constant", 50, 100, 1.0) == 1.0
    assert lr_at("constant", 4, 100, 1.0, warmup=10) == pytest.approx(0.5)
    assert lr_at("cosine", 10, 110, 1.0, warmup=10) == pytest.approx(1.0)
    assert lr_at("cosine", 60, 110, 1.0, warmup=10) == pytest.approx(0.5)
    assert lr_at("cosine", 110, 110, 1.0, warmup=10, min_ratio=0.1) == pytest.approx(0.1)
    assert lr_at("linear", 55, 100, 2.0, warmup=10) == pytest.approx(1.0)
    assert lr_at("wsd", 50, 100, 1.0, warmup=10, decay_frac=0.2) == 1.0
    assert lr_at("wsd", 90, 100, 1.0, warmup=10, decay_frac=0.2) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown schedule"):
        lr_at("cosin", 0, 10, 1.0)
