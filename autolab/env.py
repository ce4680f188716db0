from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer's .env is read when present; real environment variables always win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
