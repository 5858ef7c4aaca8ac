"""python -m geo: hands over to the command line (geo.cli)."""
import sys

from geo.cli import main

sys.exit(main())
