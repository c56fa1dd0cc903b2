import sys

from mcalc_tutor.cli import main

sys.exit(main())
