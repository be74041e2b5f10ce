#!/usr/bin/env bash
# The cached botocore virtualenv of the SigV4 interop test (a python-venv.sh venv); prints its python path.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/python-venv.sh" botocore packages/sigv4/test-fixtures/botocore-requirements.txt 'import botocore.auth'
