import torch

from pretrainlab.checkpoint import (TrainState, list_checkpoints, load_optimizer, load_state, load_weights,
                                    resolve_checkpoint, save_checkpoint)
from tests.conftest import tiny_decoder


def test_save_load_roundtrip_and_keep_last(tmp_path, tokenizer):
    model = tiny_decoder()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(torch.randint(0, 320, (2, 8))).sum().backward()
    opt.step()
    tok = tmp_path / "tokenizer.json"
    tokenizer.save(tok)
    for step in (1, 2, 3):
        save_checkpoint(tmp_path / "ck", model, opt, TrainState(step=step, tokens=step * 10), tok, keep_last=2)
    names = [p.name for p in list_checkpoints(tmp_path / "ck")]
    assert names == ["step_000002", "step_000003"]
    (tmp_path / "ck" / "step_000009.tmp").mkdir()  # a crashed write is never picked up
    last = resolve_checkpoint(tmp_path / "ck" / "step_000003")
    assert set(p.name for p in last.iterdir()) >= {"model.safetensors", "model_config.json", "tokenizer.json",
                                                    "trainer_state.json", "optimizer.pt", "rng.pt"}
    other = tiny_decoder()
    other.reset_parameters()
    torch.nn.init.zeros_(other.embed_tokens.weight)
    load_weights(other, last)
    for a, b in zip(model.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b)
    assert other.lm_head.weight is other.embed_tokens.weight
    opt2 = torch.optim.AdamW(other.parameters(), lr=1e-3)
    load_optimizer(opt2, last, other)  # uses weights_only=True
    assert torch.equal(opt2.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])
    state, rng = load_state(last)
    assert state.step == 3 and state.tokens == 30 and "torch" in rng
