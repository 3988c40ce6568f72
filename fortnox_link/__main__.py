from fortnox_link.cli import main

raise SystemExit(main())
