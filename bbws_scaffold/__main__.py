"""``python -m bbws_scaffold``: same as the ``bbws-scaffold`` console script."""

from bbws_scaffold.cli import main

raise SystemExit(main())
