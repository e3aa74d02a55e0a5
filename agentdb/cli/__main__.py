"""`python -m agentdb.cli`: the `agentdb` command."""

import sys

from agentdb.cli import main

sys.exit(main())
