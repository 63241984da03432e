#!/usr/bin/env python3
"""Prints an HS256 JWT for the secured PostGraphile peer (postgraphile/secured.config.mjs).

    python3 bench/jwt.py --secret S --org 7a3a3c59-...  [--role bench_user] [--ttl 3600]

Claims: role, organization_id, aud "postgraphile", iat and exp (now + ttl seconds).
Only the standard library is used (hmac + base64)."""

import argparse
import base64
import hashlib
import hmac
import json
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(secret: str, claims: dict) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--secret", required=True)
    ap.add_argument("--org", required=True, help="the organization_id claim (uuid)")
    ap.add_argument("--role", default="bench_user")
    ap.add_argument("--ttl", type=int, default=3600, help="seconds until exp (negative: expired)")
    args = ap.parse_args()
    now = int(time.time())
    print(make_jwt(args.secret, {
        "role": args.role,
        "organization_id": args.org,
        "aud": "postgraphile",
        "iat": now,
        "exp": now + args.ttl,
    }))


if __name__ == "__main__":
    main()
