"""Per-call overhead, FalconPy side: CALLS sequential get_policies of one policy against the emulator.

Usage: falconpy_calls.py BASE_URL CALLS. Prints {"calls": N, "secs": S} on stdout; the clock starts
after the token and the id lookup, as in bench/playbooks/get_policies.rhai.
"""

import json
import os
import sys
import time

from falconpy import ResponsePolicies

url, calls = sys.argv[1], int(sys.argv[2])
falcon = ResponsePolicies(
    client_id=os.environ["FALCON_CLIENT_ID"],
    client_secret=os.environ["FALCON_CLIENT_SECRET"],
    base_url=url,
)
policy = falcon.query_policies(limit=1)["body"]["resources"][0]
started = time.perf_counter()
for _ in range(calls):
    r = falcon.get_policies(ids=policy)
    if r["status_code"] != 200:
        sys.exit(f"get_policies answered {r['status_code']}")
print(json.dumps({"calls": calls, "secs": time.perf_counter() - started}))
