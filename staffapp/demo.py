"""Demo staff for local development (no Django imports, so `make run` can print the login)."""

from autolab.env import env

DEMO_PASSWORD = env("DEMO_STAFF_PASSWORD", default="autolab-demo-2026")
DEMO_STAFF = [
    ("admin@autolab.local", "Alex Admin", ["ADMIN", "CUSTOMER_SUPPORT"]),
    ("mechanic@autolab.local", "Morgan Mechanic", ["MECHANIC"]),
    ("support@autolab.local", "Sam Support", ["CUSTOMER_SUPPORT"]),
    ("clerk@autolab.local", "Casey Clerk", ["CLERK"]),
]
