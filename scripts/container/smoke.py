"""Acts on a running Paperclip container through its HTTP API (called by scripts/test-container).

    python smoke.py wait URL [TIMEOUT]      wait for 200 from /api/health; prints the seconds it took
    python smoke.py check URL MODE EXPOSURE  health fields, anonymous 401, then (when the server has
                                             headless admin sign-in) sign in and create a company
Exits non-zero with a message on the first failed expectation.
"""

from __future__ import annotations

import os
import sys
import time

import httpx


def fail(message: str) -> None:
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def wait(url: str, timeout: float) -> None:
    start = time.monotonic()
    last = "no answer"
    while time.monotonic() - start < timeout:
        try:
            response = httpx.get(f"{url}/api/health", timeout=2)
            if response.status_code == 200:
                print(f"{time.monotonic() - start:.1f}")
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.25)
    fail(f"{url}/api/health not healthy after {timeout:.0f} s (last: {last})")


def check(url: str, mode: str, exposure: str) -> None:
    health = httpx.get(f"{url}/api/health", timeout=5).json()
    if health.get("status") != "ok" or health.get("deploymentMode") != mode:
        fail(f"health: {health}")
    if health.get("deploymentExposure") != exposure:
        fail(f"health exposure: {health}")
    deployment = health.get("deployment")
    # the guide's object (anonymous callers in authenticated mode may get it without authReady)
    if (
        (deployment or {}).get("mode") != mode
        or deployment.get("exposure") != exposure
        or deployment.get("authReady", True) is not True
    ):
        fail(f"health deployment object: {deployment}")
    print(f"    health ok: {mode}/{exposure}, bootstrapStatus={health.get('bootstrapStatus')}")
    if mode != "authenticated":
        return
    anonymous = httpx.get(f"{url}/api/companies", timeout=5)
    if anonymous.status_code != 401:
        fail(f"anonymous GET /api/companies: {anonymous.status_code} {anonymous.text[:200]}")
    print("    anonymous GET /api/companies: 401")
    email, password = os.environ.get("SMOKE_ADMIN_EMAIL"), os.environ.get("SMOKE_ADMIN_PASSWORD")
    origin = os.environ.get("SMOKE_ORIGIN", url)
    headers = {"Origin": origin}
    with httpx.Client(base_url=url, timeout=10, headers=headers) as client:
        sign_in = client.post("/api/auth/sign-in/email", json={"email": email, "password": password})
        if sign_in.status_code == 404:
            print("    (no /api/auth/sign-in/email on this server yet: admin sign-in skipped)")
            return
        if sign_in.status_code != 200:
            fail(f"admin sign-in: {sign_in.status_code} {sign_in.text[:300]}")
        # The session cookie may be Secure (public https URL) while this client speaks http: send it by hand.
        cookie = "; ".join(h.split(";", 1)[0].strip() for h in sign_in.headers.get_list("set-cookie"))
        client.cookies.clear()
        client.headers["Cookie"] = cookie
        created = client.post("/api/companies", json={"name": "Container Smoke Co"})
        if created.status_code not in (200, 201):
            fail(f"create company as admin: {created.status_code} {created.text[:300]}")
        listed = client.get("/api/companies")
        names = [c.get("name") for c in listed.json()] if listed.status_code == 200 else []
        if "Container Smoke Co" not in names:
            fail(f"company not listed: {listed.status_code} {listed.text[:300]}")
        print(f"    signed in as {email}, created company {created.json().get('issuePrefix', '?')}")


if __name__ == "__main__":
    command, base = sys.argv[1], sys.argv[2].rstrip("/")
    if command == "wait":
        wait(base, float(sys.argv[3]) if len(sys.argv) > 3 else 120)
    elif command == "check":
        check(base, sys.argv[3], sys.argv[4])
    else:
        fail(f"unknown command {command}")
