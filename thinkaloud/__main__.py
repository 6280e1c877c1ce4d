"""`python -m thinkaloud` runs the command line."""

import sys

from thinkaloud.cli import main

sys.exit(main())
