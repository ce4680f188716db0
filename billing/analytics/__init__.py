"""Analytics over invoices (§3.9): pure functions from invoice analyticsData to every block.

Inputs are already restricted to the invoices whose effective day is in the period and that count
in revenue (``transactions.counts_in_revenue``); ``billing.selectors.analytics_transactions`` reads
them month by month through a GSI, and ``analytics_adjustments`` the period's adjustment notes,
which revenue (summary, daily and monthly breakdowns) is net of. Import by module: ``transactions``
(one invoice as a ``Txn``, a note as an ``Adjustment``, number rules), ``blocks`` (each metric
block) and ``reports`` (what the API and the portal show).
"""
