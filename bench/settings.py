"""The portal's settings for the load benchmark (bench/load.py): everything as configured
by the environment (production settings in the benchmark), plus the reference pages of
bench/urls.py."""

from corridor_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
