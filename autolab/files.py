"""Serving and receiving files through signed, expiring links (see autolab.storage)."""

from __future__ import annotations

import mimetypes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from autolab import storage
from autolab.exceptions import error_body

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@require_GET
def file_download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        key, filename = storage.download_claims(token)
        data = storage.read(key)
    except storage.StorageError as error:
        status = 403 if "expired" in str(error) else 404  # forged or unknown: nothing to confirm
        return JsonResponse(error_body(str(error)), status=status)
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# The signed token is the credential; there is no session to protect from CSRF.
@csrf_exempt
@require_http_methods(["PUT"])
def file_upload(request: HttpRequest, token: str) -> HttpResponse:
    if int(request.headers.get("Content-Length") or 0) > MAX_UPLOAD_BYTES:
        return JsonResponse(error_body("The file is larger than 10 MB"), status=413)
    try:
        key = storage.accept_upload(token, request.content_type or "", request.body)
    except storage.UploadRefused as error:
        return JsonResponse(error_body(str(error)), status=409)
    except storage.StorageError as error:
        return JsonResponse(error_body(str(error)), status=400)
    return JsonResponse({"success": True, "key": key}, status=201)
