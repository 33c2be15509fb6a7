"""Old import path (one more release) of the image modality, now modalities/image.py.

``execute_image`` is run/execute.py's ``execute`` (every modality).
"""

from pretrainlab.modalities.image import (  # noqa: F401
    ImageTask,
    _epoch_perm,
    _init_from,
    build_task,
    call_objective as _call_objective,
    eval_image_run,
    evaluate_image,
    flatten,
    fresh as _fresh,
    make_get_batch,
    periodic_knn,
    sample_indices,
)
from pretrainlab.run.execute import execute as execute_image  # noqa: F401

