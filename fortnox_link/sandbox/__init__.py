"""A local Fortnox: a real HTTP server on loopback that behaves like Fortnox for everything Fortnox Link uses.

    from fortnox_link.sandbox import Sandbox, SandboxConfig, FaultPlan
    with Sandbox(seed="demo", config=SandboxConfig(rate_limit=None)) as sb:
        sb.api_url, sb.oauth_url, sb.client_id, sb.client_secret
        code = sb.issue_code()
        sb.company.customers["1"]

See docs/sandbox.md.
"""

from .company import Company
from .config import ALL_SCOPES, FakeClock, SandboxConfig
from .errors import ApiError
from .faults import FaultPlan, FaultRule
from .messages import Exchange
from .server import Sandbox, SandboxStats

__all__ = [
    "ALL_SCOPES",
    "ApiError",
    "Company",
    "Exchange",
    "FakeClock",
    "FaultPlan",
    "FaultRule",
    "Sandbox",
    "SandboxConfig",
    "SandboxStats",
]
