"""``PROTOCOLS``: the transfer protocols of an image run (``eval.protocols``), a ``Registry("eval protocol")``.

Each entry is the function that runs the protocol on a frozen (or fine-tuned) backbone; its description is
the summary of the protocol's module. The image run still dispatches on the name itself
(``modalities/image.evaluate_image``); this registry is what ``pretrainlab list protocols`` shows.
"""

from __future__ import annotations

from pretrainlab.eval import class_incremental, finetune, knn, linear_probe, ncm
from pretrainlab.registry import Registry, describe

PROTOCOLS: Registry = Registry("eval protocol")
PROTOCOLS.add("linear", linear_probe.linear_probe, describe(linear_probe))
PROTOCOLS.add("knn", knn.knn_eval, describe(knn))
PROTOCOLS.add("ncm", ncm.ncm_eval, describe(ncm))
PROTOCOLS.add("finetune", finetune.finetune, describe(finetune))
PROTOCOLS.add("multilabel", linear_probe.linear_probe, "Multi-label linear probe (sigmoid/BCE head, weight decay "
              "chosen on val mAP): mean ROC-AUC and mAP over classes (eval/multilabel.py); multi-hot worlds only.")
PROTOCOLS.add("class_incremental", class_incremental.class_incremental, describe(class_incremental))

__all__ = ["PROTOCOLS"]
