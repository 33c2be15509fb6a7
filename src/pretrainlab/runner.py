"""Old import path (one more release) of the run skeleton and the text modality.

``execute`` is run/execute.py's (every modality); the text half moved to modalities/text.py.
"""

from pretrainlab.modalities.text import (  # noqa: F401
    build_model,
    evaluate,
    first_eval as _first_eval,
    gen_prompts as _gen_prompts,
    generations,
    init_from as _init_from,
    load_run,
    prepare_for,
)
from pretrainlab.run.execute import execute  # noqa: F401
from pretrainlab.run.resume import RunError  # noqa: F401
from pretrainlab.runtime import pick_device, usable_cores  # noqa: F401
