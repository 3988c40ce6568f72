"""`python -m fortnox_link.sandbox --port 8780`"""

from .cli import main

raise SystemExit(main())
