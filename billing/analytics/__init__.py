"""Analytics over invoices (§3.9): pure functions from invoice analyticsData to every block.

Inputs are already restricted to non-cancelled invoices whose effective day is in the period;
``billing.selectors.analytics_transactions`` reads them month by month through a GSI. Import by
module: ``transactions`` (one invoice as a ``Txn``, number rules), ``blocks`` (each metric block)
and ``reports`` (what the API and the portal show).
"""
