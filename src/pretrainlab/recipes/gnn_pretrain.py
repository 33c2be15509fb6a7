"""gnn-pretrain: "Strategies for Pre-training Graph Neural Networks" (Hu, Liu, Gomes, Zitnik, Liang, Pande,
Leskovec; ICLR 2020, arXiv 1905.12265; code snap-stanford/pretrain-gnns), METHODS-1 #12.

Mechanism: pretrain a GIN with edge features first at the node level (attribute masking or context
prediction on unlabeled molecules), then at the graph level (multi-task supervised pretraining on other
labelled tasks), then fine-tune on each downstream dataset, split by scaffold, scored by ROC-AUC. Their
finding: node-level + graph-level pretraining gives the best mean ROC-AUC and avoids the negative transfer
(tasks below no pretraining) that graph-level-only pretraining shows.

Here (modality graph, worlds/graph/molecules.py): one molecule-like world per size; pretraining graphs use
their own scaffolds (never a downstream one); the unlabeled ``pool`` feeds node-level pretraining, the
labelled ``sup`` set (presence of half of the motifs + ring-system properties: partly aligned, partly
misaligned with the downstream motif-rule tasks) feeds graph-level pretraining. Arms (the paper's Table 1
rows), all fine-tuned the same way in a last ``finetune`` stage (``train.steps: 0``; eval/graph/finetune.py:
full fine-tuning with dropout 0.5, test AUC at the best-val epoch; plus a linear head on frozen features):

* ``scratch``: no pretraining;
* ``attrmask``: attribute masking (node level) only; ``contextpred``: context prediction only;
* ``graphsup``: graph-level supervised pretraining only;
* ``attrmask+graphsup``: attribute masking, then graph-level supervised pretraining (node + graph).

Negative transfer needs a per-task comparison with no pretraining *at the same seed*, which one run cannot
see in another run. So every pretrained arm's fine-tuning stage also fine-tunes a freshly initialised GIN
with its own seed -- exactly the scratch arm's model (``build_task`` draws the backbone first after
``torch.manual_seed(seed)``) under exactly the same protocol -- and reports ``eval/finetune/neg_transfer``,
the share of scored tasks whose test AUC is below that reference, and per-task gains
(``eval/finetune/task<t>/gain``: the paper's "per-task deltas vs no pretraining"). The scratch arm is its
own reference (gain 0 and no negative transfer by construction; no claim reads them).

Claims (mean test ROC-AUC over the downstream tasks of the scaffold test split, chance 0.5; no margins):

* premises: ``attribute masking learned`` (masked atom-type accuracy on held-out pool graphs above the best
  constant guess, ``eval/pretrain/acc_gain > 0``) and ``graph-level pretraining learned`` (held-out ``sup_val``
  mean AUC above 0.5). Every other claim requires both;
* primary ``node+graph beats scratch``;
* secondary ``node+graph beats graph-level only``, ``node+graph beats node-level only`` (attribute masking),
  and ``node+graph has fewer negative-transfer tasks than graph-level only`` (``neg_transfer``, less).

Deviations: the paper fine-tunes 100 epochs and reports the last epoch; tiny runs fine-tune 20 epochs and
report the best-val epoch. Context prediction runs the backbone on the whole graph (objectives/
context_pred.py explains why that equals the K-hop subgraph). ChEMBL's 1310 tasks are 15 here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.recipes.common import seeds, size_of

NAME = "gnn-pretrain"
PAPER = "Strategies for Pre-training Graph Neural Networks (Hu et al., ICLR 2020, arXiv 1905.12265)"
CLAIMS = ["node- plus graph-level pretraining beats no pretraining in mean scaffold-split ROC-AUC (primary)",
          "node+graph beats graph-level-only and node-level-only pretraining",
          "node+graph has fewer negative-transfer tasks than graph-level-only pretraining"]
STATUS = "inconclusive"

@dataclass(frozen=True)
class Size:
    world: dict
    """Graph world sizes: downstream train/val/test graphs and scaffolds, the unlabeled pool, the supervised set."""
    preset: str
    """GIN preset (models/gin.py)."""
    steps: int
    """Pretraining steps of each pretraining stage."""
    batch: int
    epochs: int
    """Fine-tuning epochs on the downstream train split."""


SIZES = {
    "tiny": Size(dict(n_train=200, n_val=100, n_test=200, n_scaffolds=24, n_val_scaffolds=4, n_test_scaffolds=4,
                      n_pool=2000, n_pool_val=200, n_sup=1000, n_sup_val=200), "test", 300, 32, 20),
    "full": Size(dict(n_train=500, n_val=200, n_test=400, n_scaffolds=40, n_val_scaffolds=8, n_test_scaffolds=8,
                      n_pool=10000, n_pool_val=500, n_sup=5000, n_sup_val=500), "small", 1000, 64, 30),
}
CHANCE = 0.5
NODE_GRAPH = "attrmask+graphsup"


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    world, preset, steps, batch, epochs = s.world, s.preset, s.steps, s.batch, s.epochs
    base = {
        "name": "gnn-pretrain", "modality": "graph",
        "data": {"world": {"kind": "molecules", "seed": 0, **world}, "split": "pool"},
        "model": {"preset": preset},
        "objective": {"name": "attr_mask"},
        "train": {"steps": steps, "batch_size": batch, "lr": 1e-3, "schedule": "constant", "warmup_steps": 10,
                  "weight_decay": 0.0, "dtype": "fp32", "log_every": max(1, steps // 10), "ckpt_every": 0},
        "eval": {"protocols": ["finetune", "linear"], "finetune_epochs": epochs, "reference": False},
    }
    no_eval = {"eval.protocols": []}  # pretraining stages report eval/pretrain only; the finetune stage transfers
    node = {"name": "node", "overrides": {**no_eval, "objective": {"name": "attr_mask", "mask_rate": 0.15}}}
    graph = {"name": "graph", "overrides": {**no_eval, "objective": {"name": "graph_supervised"}, "data.split": "sup"}}

    def finetune(parent: str | None) -> dict:
        stage = {"name": "finetune", "overrides": {"train.steps": 0, "eval.reference": True}}
        return {**stage, "init_from": parent} if parent else stage

    arms = {
        "scratch": {"description": "no pretraining", "stages": [finetune(None)]},
        "attrmask": {"description": "attribute masking (node level)", "stages": [node, finetune("node")]},
        "contextpred": {"description": "context prediction (node level)",
                        "stages": [{"name": "node", "overrides": {**no_eval, "objective": {"name": "context_pred"}}},
                                   finetune("node")]},
        "graphsup": {"description": "graph-level supervised pretraining only", "stages": [graph, finetune("graph")]},
        NODE_GRAPH: {"description": "attribute masking, then graph-level supervised pretraining",
                     "stages": [node, {**graph, "init_from": "node"}, finetune("graph")]},
    }
    auc, neg = "eval/finetune/auc", "eval/finetune/neg_transfer"
    learned_node = "attribute masking learned: masked atom types above the best constant guess"
    learned_graph = "graph-level pretraining learned: held-out supervised-pretraining AUC above chance"
    premises = [learned_node, learned_graph]
    best = "node- plus graph-level pretraining gives the best mean ROC-AUC"
    claims = [
        {"name": learned_node, "kind": "above", "metric": "eval/pretrain/acc_gain", "arms": ["attrmask"],
         "stage": "node", "value": 0.0, "role": "premise", "paper": "the node-level task is learnable"},
        {"name": learned_graph, "kind": "above", "metric": "eval/pretrain/auc", "arms": [NODE_GRAPH], "stage": "graph",
         "value": CHANCE, "role": "premise", "paper": "the graph-level tasks are learnable"},
        {"name": "node+graph beats scratch", "kind": "greater", "metric": auc, "arms": [NODE_GRAPH, "scratch"],
         "chance": CHANCE, "role": "primary", "requires": premises, "paper": best},
        {"name": "node+graph beats graph-level only", "kind": "greater", "metric": auc,
         "arms": [NODE_GRAPH, "graphsup"], "chance": CHANCE, "requires": premises,
         "paper": "graph-level-only pretraining gives limited gains; adding node-level pretraining first helps"},
        {"name": "node+graph beats node-level only", "kind": "greater", "metric": auc, "arms": [NODE_GRAPH, "attrmask"],
         "chance": CHANCE, "requires": premises, "paper": "node-level-only pretraining gives limited gains"},
        {"name": "node+graph has fewer negative-transfer tasks than graph-level only", "kind": "less", "metric": neg,
         "arms": [NODE_GRAPH, "graphsup"], "requires": premises,
         "paper": "node+graph avoids the negative transfer that graph-level-only pretraining shows"},
    ]
    return {"name": f"gnn-pretrain-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": seeds(size),
            "claims": claims, "metrics": [auc, "eval/finetune/gain", neg, "eval/linear/auc", "eval/finetune/val/auc"]}
