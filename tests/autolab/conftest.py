"""Fixtures of the autolab suite: the S3 stand-in (moto server mode) for storage and backups."""

from tests.s3_stand_in import _s3_server, s3  # noqa: F401
