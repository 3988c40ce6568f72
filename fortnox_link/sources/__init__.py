"""The order-system side of Fortnox Link: typed records, the `OrderSource` protocol and its adapters.

Adapters (import them from their modules; each is imported only when chosen):

* `fortnox_link.sources.demo.DemoSource`: the sandbox demo company's order system, in memory;
* `fortnox_link.sources.files.FilesSource`: CSV/JSON exports in an inbox folder;
* `fortnox_link.sources.extend_api.ExtendApiSource`: the order system's REST endpoint.

The contract for the order-system vendor is docs/extend-contract.md.
"""

from .base import (
    Batch,
    Cursor,
    OrderSource,
    SourceAuthError,
    SourceError,
    SourceNotFoundError,
    SourceUnavailableError,
    StartingPoint,
    StartingPoints,
    apply_starting_point,
)
from .records import (
    Article,
    ArticleKind,
    Customer,
    CustomerType,
    EventType,
    InventoryEvent,
    InvoiceBasis,
    InvoiceNumberWriteBack,
    InvoiceRow,
    MatchStatus,
    MatchStatusWriteBack,
    PurchaseOrder,
    PurchaseOrderRow,
    PurchaseOrderStatus,
    RecordKind,
    RecordProblem,
    Supplier,
    VatType,
)

__all__ = [
    "Article",
    "ArticleKind",
    "Batch",
    "Cursor",
    "Customer",
    "CustomerType",
    "EventType",
    "InventoryEvent",
    "InvoiceBasis",
    "InvoiceNumberWriteBack",
    "InvoiceRow",
    "MatchStatus",
    "MatchStatusWriteBack",
    "OrderSource",
    "PurchaseOrder",
    "PurchaseOrderRow",
    "PurchaseOrderStatus",
    "RecordKind",
    "RecordProblem",
    "SourceAuthError",
    "SourceError",
    "SourceNotFoundError",
    "SourceUnavailableError",
    "StartingPoint",
    "StartingPoints",
    "Supplier",
    "VatType",
    "apply_starting_point",
]
