"""``python -m bbws_scaffold.runtime``: the runtime CLI."""

import sys

from bbws_scaffold.runtime.cli import main

sys.exit(main())
