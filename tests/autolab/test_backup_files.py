"""backup/restore carry the stored files too (reports, invoices, email attachments), locally and
on S3; `backup` writes to S3 when BACKUP_S3_BUCKET is set (ARCHITECTURE §2, #13.9)."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from autolab import storage
from staffapp.models import Staff
from tests.conftest import _truncate

FILES = {
    "reports/apt-1/20300101_090000_ab12cd_report.pdf": b"%PDF-1.4 report",
    "invoices/inv-1/tax-invoice-1.pdf": b"%PDF-1.4 invoice",
    "email-attachments/inbound/7f0c/photo.png": b"\x89PNG photo",
}


@pytest.fixture(autouse=True)
def own_media_root(tmp_path: Path, settings) -> None:
    """Files of other tests stay in the session's MEDIA_ROOT; these tests count theirs exactly."""
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _store_files() -> None:
    for key, data in FILES.items():
        storage.save(key, data, "application/octet-stream")


def _wipe_local_files() -> None:
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def test_local_backup_copies_every_file_and_restore_puts_them_back(tmp_path: Path) -> None:
    _store_files()
    Staff(user_email="a@x.au", user_id="s1", user_name="A", roles=["ADMIN"]).save()
    output = run("backup", "--output", str(tmp_path / "b1"), "--quiet")
    assert "Backed up 1 items of" in output
    assert "and 3 files to" in output
    for key, data in FILES.items():
        assert (tmp_path / "b1" / "files" / key).read_bytes() == data
    manifest = json.loads((tmp_path / "b1" / "backup-manifest.json").read_text())
    assert (manifest["files"], manifest["tables"]["Staff"]) == (3, 1)

    _wipe_local_files()
    _truncate(Staff.Meta.table_name)
    assert not any(storage.exists(key) for key in FILES)
    output = run("restore", "--input", str(tmp_path / "b1"), "--quiet")
    assert "3 files (0 already present, kept)" in output
    assert {key: storage.read(key) for key in FILES} == FILES
    assert Staff.get("a@x.au").user_name == "A"


def test_restore_keeps_a_newer_file_unless_overwrite(tmp_path: Path) -> None:
    _store_files()
    run("backup", "--output", str(tmp_path / "b1"), "--quiet")
    key = next(iter(FILES))
    storage.save(key, b"%PDF-1.4 newer", "application/pdf")
    output = run("restore", "--input", str(tmp_path / "b1"), "--quiet")
    assert "0 files (3 already present, kept)" in output
    assert storage.read(key) == b"%PDF-1.4 newer"
    run("restore", "--input", str(tmp_path / "b1"), "--overwrite", "--quiet")
    assert storage.read(key) == FILES[key]


def test_backup_writes_to_s3_when_configured_and_restore_reads_it_back(s3, settings) -> None:
    settings.BACKUP_S3_BUCKET = s3.bucket("autolab-backups")
    _store_files()
    Staff(user_email="a@x.au", user_id="s1", user_name="A", roles=["ADMIN"]).save()

    output = run("backup", "--quiet")
    assert "to s3://autolab-backups/backups/" in output
    keys = s3.keys("autolab-backups")
    (prefix,) = {key.split("/")[1] for key in keys}
    assert f"backups/{prefix}/Staff.json" in keys
    assert f"backups/{prefix}/backup-manifest.json" in keys
    assert {f"backups/{prefix}/files/{key}" for key in FILES} <= set(keys)
    staff_doc = json.loads(
        s3.client.get_object(Bucket="autolab-backups", Key=f"backups/{prefix}/Staff.json")["Body"].read()
    )
    assert staff_doc["item_count"] == 1

    for key in FILES:
        s3.client.delete_object(Bucket="autolab-files", Key=key)
    _truncate(Staff.Meta.table_name)
    output = run("restore", "--quiet")  # the newest complete backup in S3
    assert f"from s3://autolab-backups/backups/{prefix}/" in output
    assert {key: storage.read(key) for key in FILES} == FILES
    assert Staff.get("a@x.au").user_name == "A"


def test_an_s3_backup_without_its_manifest_is_never_the_latest(s3, settings) -> None:
    settings.BACKUP_S3_BUCKET = s3.bucket("autolab-backups")
    s3.client.put_object(Bucket="autolab-backups", Key="backups/2099-01-01T00-00-00Z/Staff.json", Body=b"{}")
    Staff(user_email="a@x.au", user_id="s1", user_name="A", roles=["ADMIN"]).save()
    run("backup", "--quiet")
    _truncate(Staff.Meta.table_name)
    output = run("restore", "--quiet")
    assert "2099-01-01" not in output
    assert Staff.get("a@x.au").user_name == "A"
