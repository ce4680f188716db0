"""Money after payment: refunds and adjustment notes (models in billing.models)."""
