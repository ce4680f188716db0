"""Payments, one module a concern; import each by its module path.

``payments`` marks a record paid (the one transition every method goes through), ``stripe_payments``
creates and confirms Stripe intents, ``webhooks`` handles Stripe's events and ``manual_payments``
the staff-confirmed ones. Invoices are ``billing.invoices``.
"""
