"""Catalog of the 49 seed papers: which recipe reproduces each one, what claim it checks, and its status.

``CATALOG`` follows ``shared/design/RECIPES.md`` (paper order and canonical recipe names); each claim is
the one-sentence version of the paper's "Claim / measure" entry in ``METHODS-1.md`` / ``METHODS-2.md``.
``catalog_rows()`` overlays the live registry (``pretrainlab.recipes.RECIPES``): a recipe that is
registered reports its module's ``STATUS`` (default ``"runs"``), and registered recipes that are not
papers (e.g. ``quickstart``) are appended. ``pretrainlab recipes`` prints these rows.

Status vocabulary: ``STATUSES`` below, the one definition (docs/recipes.md explains each). A recipe's
``STATUS`` must agree with its archived verdicts (``experiments.claims.recipe_status``; a test checks).
"""

from __future__ import annotations


STATUSES = ("not started", "runs", "holds", "partly holds", "does not hold", "inconclusive", "no signal",
            "not testable")


def _row(n: int, paper: str, recipe: str, modality: str, claim: str) -> dict:
    return {"n": n, "paper": paper, "recipe": recipe, "modality": modality, "claim": claim,
            "status": "not started"}


CATALOG: list[dict] = [
    _row(1, "ANN->SNN pretraining bridge", "ann2snn", "image",
         "ANN-initialised SNN reaches scratch-SNN accuracy in <=1/3 of the SNN epochs, with lower total wall-clock"),
    _row(2, "TinyHelen leaner corpus + curriculum", "tinyhelen-leaner", "text",
         "At equal tokens, leaner-corpus pretraining gives higher instruction EM and lower loss than the noisy original"),
    _row(3, "LOOK (leave-one-out kNN supervised pretraining)", "look", "image",
         "At similar upstream accuracy, LOOK beats CE on subclass and new-attribute linear probes"),
    _row(4, "V-Pretraining (downstream-gradient task design)", "v-pretraining", "text",
         "At matched learner updates, V-pretraining raises held-out arithmetic QA more than NTP; general loss within noise"),
    _row(5, "CPL open-world deepfake attribution", "cpl-owdfa", "image",
         "CPL beats an ORCA-like baseline on novel-class and all-class clustering accuracy; GLV and CSP each help"),
    _row(6, "Self-distillation for further pretraining", "selfdistill-fpt", "image",
         "Fine-tune accuracy orders self-distillation > further pretraining > direct fine-tune on small target data"),
    _row(7, "Train Once, Answer All (insertions)", "train-once", "text",
         "All-in-one run keeps clean val loss, and each inserted experiment's effect matches its single-experiment run"),
    _row(8, "Remote-sensing resize/normalisation", "rs-resize-norm", "image",
         "Resizing to pretraining resolution plus matched normalisation gives a large kNN accuracy jump"),
    _row(9, "Llama-3-SynE continual pretraining", "syne-cpt", "text",
         "2:8 replay keeps language-A loss near base while B loss falls (B-only forgets A); synthetic QA raises QA EM"),
    _row(10, "RoboFuME (offline->online RL, learned reward)", "robofume", "rl",
         "Cal-QL pretraining improves online with no unlearning dip and beats CQL pretraining and scratch SAC"),
    _row(11, "PCP prompt-based continued pretraining", "pcp", "text",
         "PCP gives consistent gains over plain prompt-FT on all four tasks; TAPT gives <=0 on sentence-pair tasks"),
    _row(12, "GNN pretraining strategies", "gnn-pretrain", "graph",
         "Node- plus graph-level pretraining gives the best mean ROC-AUC and the fewest negative-transfer tasks"),
    _row(13, "Pseudo-label task pretraining", "pseudolabel-pretrain", "text",
         "Pseudo-label pretraining beats fine-tune-only and self-training, with a gain shrinking as labels grow"),
    _row(14, "bert2BERT model growth", "bert2bert", "text",
         "FPI preserves the small model's loss at step 0; AKI/FPI growth reach scratch's final loss with far fewer FLOPs"),
    _row(15, "Pretrainer's Guide (age/quality/toxicity/domains)", "pretrainers-guide", "text",
         "QA accuracy falls with the train/eval year gap; toxicity filtering lowers toxic generation and toxicity ID"),
    _row(16, "MAE for thorax X-rays", "medmae-thorax", "image",
         "In-domain MAE > out-of-domain MAE > scratch in mean AUC on multi-label X-ray findings; LLRD helps"),
    _row(17, "SatMAE++ multi-scale", "satmae-pp", "image",
         "Multi-scale SatMAE++ beats vanilla MAE at equal steps on linear-probe and fine-tune mAP, and fine-tunes faster"),
    _row(18, "M3I all-in-one pretraining", "m3i", "image",
         "Single-stage M3I matches or beats multi-stage and each single-signal arm on transfer accuracy"),
    _row(19, "daVinci processing depth + curriculum", "davinci", "text",
         "Reasoning-probe accuracy rises with data-processing depth at fixed tokens; a balanced stage-2 ratio is best"),
    _row(20, "NMC baseline for continual learning", "nmc-cl", "image",
         "Frozen-encoder nearest class mean matches or beats fine-tuning CL baselines with zero forgetting"),
    _row(21, "NMTune (label noise in pretraining)", "nmtune", "image",
         "OOD probe accuracy drops monotonically with pretraining label noise; NMTune beats linear probing on noisy models"),
    _row(22, "UNIP attention-pattern distillation", "unip", "image",
         "Distilling NMI-selected hybrid-layer attention gives the best IR segmentation mIoU; student ~= teacher"),
    _row(23, "W2PGNN when to pretrain", "w2pgnn", "graph",
         "W2PGNN feasibility score correlates positively with realised pretraining gain; its data selection beats random"),
    _row(24, "FIBER fusion in the backbone", "fiber", "multimodal",
         "Fusion in the backbone matches or beats fusion on top at <= params; coarse->fine beats fine-only on grounding"),
    _row(25, "SiT", "sit", "image",
         "SiT pretraining beats a from-scratch ViT on small data, and its combined loss beats reconstruction alone"),
    _row(26, "UL2 mixture of denoisers", "ul2", "text",
         "UL2 is on or near the Pareto front of CLM, infilling and open-generation evals; mode tokens help"),
    _row(27, "AfriqueLLM CPT data mixing", "afriquellm", "text",
         "CPT data composition dominates: translated math best improves low-resource-language reasoning"),
    _row(28, "Stock time-series pretraining (SSPT)", "sspt", "series",
         "SSPT pretraining gives higher IRR and Sharpe than no pretraining and the market baseline"),
    _row(29, "EFT emulated fine-tuning", "eft", "text",
         "Up-scaled EFT matches large fine-tune fact accuracy, beats small fine-tune, and keeps fine-tune format compliance"),
    _row(30, "Selfie", "selfie", "image",
         "Selfie pretraining beats supervised-only training, with the largest gain at low label fractions"),
    _row(31, "Memory-efficient pretraining benchmark", "memeff-pt", "text",
         "Tuned full-rank is best; high-rank-update methods (GaLore, Fira, SLTrain) beat pure low-rank"),
    _row(32, "TERA speech", "tera", "speech",
         "TERA features beat log-mel on linear phoneme and speaker accuracy; all three alterations beat time-only"),
    _row(33, "L2M modulating pretrained RL models", "l2m", "rl",
         "L2M reaches high new-task success while keeping pretraining tasks intact, unlike fine-tuning, which forgets"),
    _row(34, "PretrainZero", "pretrainzero", "text",
         "Active masking keeps reward from collapsing and gives the best probe accuracy vs random and entropy masking"),
    _row(35, "Provable advantage of unsupervised pretraining", "provable-unsup", "latent",
         "With m >> n unlabeled samples the pretrained pipeline's test risk is much lower, and the gap closes as n grows"),
    _row(36, "UniTabE tabular", "unitabe", "table",
         "Tabular pretraining beats scratch, most at low row counts, and is competitive with GBDT"),
    _row(37, "Low-resource MT pretraining", "lowres-mt", "text",
         "Multilingual beats single-language pretraining for low-resource MT; adding parallel data gives the best BLEU"),
    _row(38, "Finetuner's Fallacy (SPT)", "spt", "text",
         "Mixing fine-tune data into pretraining lowers post-fine-tune domain loss and forgetting vs the standard pipeline"),
    _row(39, "Self-Improving Pretraining", "self-improving-pt", "text",
         "Self-improving pretraining gives safer, more factual generations than NTP at similar perplexity"),
    _row(40, "Nexus common minima", "nexus", "text",
         "At equal pretraining loss, Nexus gives higher cross-source gradient similarity and lower OOD loss than AdamW"),
    _row(41, "Medical init from natural-image SSL", "med-init", "image",
         "SSL init on natural images beats supervised natural-image init in mean AUC on X-ray findings"),
    _row(42, "BIOptimus", "bioptimus", "text",
         "Contextual init of new-word embeddings speeds MLM loss and raises NER F1; masking curriculum >= fixed masking"),
    _row(43, "ExPLoRA", "explora", "image",
         "ExPLoRA linear probe >> no extension and ~= full continued pretraining with <10% trainable params"),
    _row(44, "TeleChat2 pipeline (CPT->SFT->DPO->RL)", "telechat2", "text",
         "Domain accuracy rises at each stage (CPT, then RL) while general val loss stays within a few %"),
    _row(45, "MMC masked momentum contrastive", "mmc", "image",
         "MMC gives the lowest intra/inter-object similarity overlap and the highest zero-shot segmentation mIoU"),
    _row(46, "CroCo cross-view completion", "croco", "image",
         "CroCo gives lower depth RMSE than single-view MAE and far lower reconstruction loss at 90% masking"),
    _row(47, "Continual pretraining: (re)warm", "rewarm", "text",
         "Higher max LR on rewarm lowers new-data loss but forgets more; continuing beats training from scratch"),
    _row(48, "LAE continual learning with PET", "lae", "image",
         "LAE beats online-only and offline-only PET in last and average incremental accuracy for every PET type"),
    _row(49, "InterBERT", "interbert", "multimodal",
         "Group region masking beats single masking on retrieval; the two-stream top keeps text-only accuracy"),
]


def catalog_rows() -> list[dict]:
    """CATALOG with status taken from the live registry, plus rows for registered non-paper recipes."""
    from pretrainlab.recipes import RECIPES  # lazy: the registry may import this module

    rows = []
    for entry in CATALOG:
        row = dict(entry)
        if row["recipe"] in RECIPES:
            row["status"] = getattr(RECIPES[row["recipe"]], "STATUS", "runs")
        rows.append(row)
    known = {entry["recipe"] for entry in CATALOG}
    for name, module in RECIPES.items():
        if name not in known:
            rows.append({"n": "-", "paper": "(smoke run, not a paper)", "recipe": name,
                         "modality": getattr(module, "MODALITY", "text"),
                         "claim": "; ".join(getattr(module, "CLAIMS", [])),
                         "status": getattr(module, "STATUS", "runs")})
    return rows
