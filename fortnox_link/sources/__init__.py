"""The order-system side of Fortnox Link: typed records, the `OrderSource` protocol and its adapters."""
