"""``python -m pretrainlab`` = the ``pretrainlab`` command."""

import sys

from pretrainlab.cli import main

sys.exit(main())
