"""Reachability of the services autolab needs: DynamoDB and Redis."""

from __future__ import annotations

import logging

import redis
from django.conf import settings

from autolab import dynamodb

logger = logging.getLogger(__name__)


def dynamodb_reachable() -> bool:
    try:
        dynamodb.connection().list_tables(limit=1)
    except Exception:
        logger.warning("DynamoDB health check failed", exc_info=True)
        return False
    return True


def redis_reachable() -> bool:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:
        logger.warning("Redis health check failed", exc_info=True)
        return False


def health_report() -> dict[str, bool]:
    return {"dynamodb": dynamodb_reachable(), "redis": redis_reachable()}
