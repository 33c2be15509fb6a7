"""Bad claims and seed counts fail before anything runs, with the name and the fix (no traceback)."""

import pytest
import yaml

from pretrainlab.cli import main
from pretrainlab.recipes import recipe_config


def _exp(tmp_path, claims, seeds=(0, 1, 2)):
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "bad", "base": recipe_config("quickstart", "tiny"), "seeds": list(seeds),
                                    "arms": {"a": {}, "b": {"overrides": {"train.lr": 1e-3}}}, "claims": claims}))
    return path


def claim(**kw):
    return {"name": "c", "kind": "less", "metric": "val/loss", "arms": ["a", "b"], **kw}


@pytest.mark.parametrize("bad, message", [
    (claim(metric="val/los"), "does not report metric 'val/los' (did you mean 'val/loss'?)"),
    (claim(arms=["a", "c"]), "unknown arm 'c'"),
    (claim(stage="finetune"), "has no stage 'finetune'"),
    (claim(kind="equivalent", margin=0), "needs a margin > 0"),
    (claim(kind="equivalent", tolerance=0.1), "`tolerance` is now `margin`"),
    (claim(min_effect=-0.1), "use kind: noninferior"),
    (claim(requires=["p"]), "requires 'p', which is not a premise"),
])
def test_bad_claim(tmp_path, capsys, bad, message):
    out = tmp_path / "out"
    assert main(["reproduce", str(_exp(tmp_path, [bad])), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split()).replace("\n", " ").replace("( ", "(") and "Traceback" not in err
    assert not out.exists()  # nothing ran


def test_premise_cycle_and_seeds(tmp_path, capsys):
    cycle = [claim(name="p", role="premise", requires=["q"]), claim(name="q", role="premise", requires=["p"])]
    assert main(["reproduce", str(_exp(tmp_path, cycle))]) == 2
    assert "premise cycle: p -> q -> p" in " ".join(capsys.readouterr().err.split())
    assert main(["reproduce", str(_exp(tmp_path, [claim()])), "--seeds", "0"]) == 2
    assert "--seeds must be at least 1" in capsys.readouterr().err
    assert main(["reproduce", "rewarm", "--size", "tiny", "--seeds", "0"]) == 2
    assert "--seeds must be at least 1" in capsys.readouterr().err
