"""Local and demo use: the embedded default (SQLite, in-process tasks) unless the environment
names PostgreSQL and Redis."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="lantern-local-only-not-secret")
LANTERN_DEMO_MODE = env.bool("LANTERN_DEMO_MODE", default=True)
