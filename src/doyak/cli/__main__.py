import sys

from doyak.cli import main

sys.exit(main())
