"""`python -m amplify_local` runs the CLI."""

import sys

from amplify_local.cli import main

sys.exit(main())
