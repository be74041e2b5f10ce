"""Sign requests with botocore, the signer behind boto3 and the AWS CLI, and print them as JSON.

Run by test/interop/sigv4-botocore.test.ts with the cached botocore venv
(scripts/peers/botocore-venv.sh); each request is then checked with
verifySigV4. Credentials and the timestamp are fixed so the output is
deterministic. Requests carry no params= (the query is built into the URL with
botocore's own percent_encode_sequence), so what is signed is the URL sent.
"""

import base64
import datetime
import json
import sys
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence

SIGNED_AT = datetime.datetime(2025, 1, 2, 3, 4, 5)
ACCESS_KEY_ID = "AKIDBOTOCORE"
SECRET_ACCESS_KEY = "botocore/Secret+Key=="
SESSION_TOKEN = "FwoGZXIvYXdzEBotocore//Session+Token=="

# Every signer reads the clock through this module-level name.
botocore.auth.get_current_datetime = lambda: SIGNED_AT


def url(base, path, query=None):
    return base + path + ("?" + percent_encode_sequence(query) if query else "")


def emit(name, signer, request, service, region, uri_escape_path, mode):
    signer.add_auth(request)
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    headers = {k: v for k, v in prepared.headers.items()}
    headers.setdefault("Host", botocore.auth._host_from_url(prepared.url))
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {
        "name": name,
        "mode": mode,
        "service": service,
        "region": region,
        "uriEscapePath": uri_escape_path,
        "method": prepared.method,
        "url": parts.path + ("?" + parts.query if parts.query else ""),
        "headers": headers,
        "bodyBase64": base64.b64encode(body).decode("ascii"),
    }


def main():
    plain = Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    temporary = Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN)
    catalog = "http://catalog.example.com:8181"
    cases = []

    # GET with a query and an Iceberg multi-level namespace (%1F) in the path:
    # non-S3 signers encode the already-encoded path once more.
    req = AWSRequest(
        method="GET",
        url=url(catalog, "/v1/namespaces/a%1Fb/tables", {"pageSize": "10", "pageToken": "x/y z+~"}),
    )
    cases.append(emit("get-query", SigV4Auth(plain, "execute-api", "eu-central-1"), req, "execute-api", "eu-central-1", True, "header"))

    # POST with a JSON body and temporary credentials: the body's SHA-256 is in
    # the canonical request but not in a header; the session token is signed.
    body = json.dumps({"namespace": ["analytics", "daily"], "properties": {"owner": "ünïcode"}}, ensure_ascii=False).encode("utf-8")
    req = AWSRequest(method="POST", url=url(catalog, "/v1/namespaces"), data=body, headers={"Content-Type": "application/json"})
    cases.append(emit("post-json-session-token", SigV4Auth(temporary, "execute-api", "eu-central-1"), req, "execute-api", "eu-central-1", True, "header"))

    # S3-style PUT: x-amz-content-sha256 header, path signed as sent (no normalization).
    req = AWSRequest(method="PUT", url="http://bucket.s3.example.com/data//part%20one/./x.parquet", data=b"PAR1\x00\x01\x02PAR1")
    cases.append(emit("s3-put", S3SigV4Auth(plain, "s3", "us-west-2"), req, "s3", "us-west-2", False, "header"))

    # Presigned GET, generic service: signed over the (empty) body's SHA-256.
    req = AWSRequest(method="GET", url=url("https://catalog.example.com", "/v1/config", {"warehouse": "lake house"}))
    cases.append(emit("presigned-get", SigV4QueryAuth(plain, "execute-api", "eu-central-1", expires=900), req, "execute-api", "eu-central-1", True, "presigned"))

    # Presigned GET with a session token, S3: signed over UNSIGNED-PAYLOAD, which the URL does not mention.
    req = AWSRequest(method="GET", url="https://bucket.s3.example.com/data/a%20b.json")
    cases.append(emit("presigned-s3-session-token", S3SigV4QueryAuth(temporary, "s3", "us-west-2", expires=300), req, "s3", "us-west-2", False, "presigned"))

    json.dump(
        {
            "botocore": botocore.__version__,
            "signedAt": SIGNED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "accessKeyId": ACCESS_KEY_ID,
            "secretAccessKey": SECRET_ACCESS_KEY,
            "sessionToken": SESSION_TOKEN,
            "cases": cases,
        },
        sys.stdout,
        indent=1,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
