"""Local and demo use: the embedded default (SQLite, in-process tasks) unless the environment
names PostgreSQL and Redis."""

from .base import *  # noqa: F403
from .base import env

# Off even for the demo: a debug page shows settings, the signed-in user and the data on the page
# to whoever is at the screen. Errors get Lantern's own pages (templates/403, 404, 500).
DEBUG = env.bool("DEBUG", default=False)
# Without DEBUG, runserver serves no static files: WhiteNoise serves them from the apps' folders.
WHITENOISE_USE_FINDERS = True
SECRET_KEY = env("SECRET_KEY", default="lantern-local-only-not-secret")
LANTERN_DEMO_MODE = env.bool("LANTERN_DEMO_MODE", default=True)
