from dataclasses import dataclass, field

import pytest

from pretrainlab.config import ConfigError, apply_overrides, from_dict, parse_value, to_dict


@dataclass
class Inner:
    steps: int = 10
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.95)
    name: str | None = None


@dataclass
class Outer:
    train: Inner = field(default_factory=Inner)
    tags: list[str] = field(default_factory=list)
    flag: bool = False


def test_from_dict_coerces_and_validates():
    cfg = from_dict(Outer, {"train": {"steps": "20", "lr": "3e-4", "betas": [0.8, 0.9]}, "flag": "true"})
    assert cfg.train.steps == 20 and cfg.train.lr == 3e-4 and cfg.train.betas == (0.8, 0.9) and cfg.flag is True
    assert to_dict(cfg)["train"]["betas"] == [0.8, 0.9]


def test_unknown_key_names_closest():
    with pytest.raises(ConfigError, match=r"unknown key 'train.setps' \(did you mean 'train.steps'\?\)"):
        from_dict(Outer, {"train": {"setps": 3}})


def test_bad_types_name_the_key():
    with pytest.raises(ConfigError, match="train.steps: expected int, got 'many'"):
        from_dict(Outer, {"train": {"steps": "many"}})
    with pytest.raises(ConfigError, match="train.steps: expected int, got 2.5"):
        from_dict(Outer, {"train": {"steps": 2.5}})
    with pytest.raises(ConfigError, match="expected 2 items"):
        from_dict(Outer, {"train": {"betas": [0.9]}})


def test_overrides():
    data = apply_overrides({"train": {"steps": 1}}, ["train.steps=5", "train.lr=1e-3", "tags=[a, b]",
                                                      "train.name=null"])
    assert data == {"train": {"steps": 5, "lr": 1e-3, "name": None}, "tags": ["a", "b"]}
    assert parse_value("1e-3") == 1e-3 and parse_value("abc") == "abc" and parse_value("3") == 3
    with pytest.raises(ConfigError, match="key=value"):
        apply_overrides({}, ["train.steps"])


def test_a_section_keeps_the_defaults_its_config_chose():
    """``train: {steps: 5}`` under a config whose ``train`` default is not the class default keeps those values."""
    from dataclasses import dataclass, field

    from pretrainlab.train.config import TrainConfig

    @dataclass
    class Run:
        train: TrainConfig = field(default_factory=lambda: TrainConfig(weight_decay=0.0, batch_size=64))

    cfg = from_dict(Run, {"train": {"steps": 5}})
    assert (cfg.train.steps, cfg.train.weight_decay, cfg.train.batch_size) == (5, 0.0, 64)
    assert from_dict(Run, {"train": {"weight_decay": 0.1}}).train.weight_decay == 0.1
    assert from_dict(Run, {}).train.batch_size == 64


def test_overrides_index_lists_and_refuse_keys_below_values():
    data = {"data": {"sources": [{"name": "a"}, {"name": "b"}], "world": None, "seq_len": 256}}
    apply_overrides(data, ["data.sources.1.weight=0.5", "data.world.n_docs=5", "data.sources.-1.name=c"])
    assert data["data"]["sources"] == [{"name": "a"}, {"name": "c", "weight": 0.5}]
    assert data["data"]["world"] == {"n_docs": 5}
    with pytest.raises(ConfigError, match=r"data.sources is a list of 2 items; index it with 0..1"):
        apply_overrides(data, ["data.sources.2.weight=1"])
    with pytest.raises(ConfigError, match=r"data.seq_len is 256, not a section"):
        apply_overrides(data, ["data.seq_len.x=1"])


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "No"])
def test_yaml11_words_stay_strings(word):
    assert parse_value(word) == word
    assert parse_value("true") is True and parse_value("false") is False
