"""When the dashboard may be served, and to whom.

Local single-user mode needs no account: the server listens on a loopback address, so
only this computer can open the page. Any other address (``0.0.0.0``, a LAN address, or
none, which Streamlit takes as every interface) opens the map to the network, so it is
refused unless accounts exist and everyone must sign in. ``coalition serve`` checks
before starting Streamlit; the app checks again with the address Streamlit really uses
(``server.address``), since it can be started without the CLI.

Behind a reverse proxy the server may listen on 127.0.0.1 and still be reached from
the network. A request that says it came through a proxy (``Forwarded``,
``X-Forwarded-For``...) or names a host other than this computer (which is also what a
DNS-rebinding page in the browser would send) is therefore not treated as local, and
neither is a request without headers: what cannot be shown to come from this computer
is treated as coming from the network.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from coalition.auth.accounts import accounts_configured
from coalition.domain.errors import CoalitionError
from coalition.i18n import _

__all__ = ["is_loopback", "host_is_loopback", "check_serving", "refusal", "request_is_local", "LOCAL_NAMES"]

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip", "x-forwarded-proto")


def is_loopback(address: str | None) -> bool:
    """True for an address only this computer can reach (127.0.0.0/8, ::1, localhost).

    An empty address is not: Streamlit then listens on every interface.
    """
    host = (address or "").strip().strip("[]").lower()
    if not host:
        return False
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(address: str | None, proxied: bool = False) -> str:
    """The sentence that refuses serving to the network without accounts."""
    if proxied:
        return _(
            "refusing to serve through a proxy or under another host name (or none) without accounts: add one with "
            "`coalition user add NAME --role admin` (or serve on 127.0.0.1 for this computer only)"
        )
    if not address:
        return _(
            "refusing to serve on every network interface without accounts: add one with "
            "`coalition user add NAME --role admin` (or serve on 127.0.0.1 for this computer only)"
        )
    return _(
        "refusing to serve on {address} without accounts: add one with `coalition user add NAME --role admin` "
        "(or serve on 127.0.0.1 for this computer only)"
    ).format(address=address)


def check_serving(address: str | None, accounts_path: str | os.PathLike[str]) -> None:
    """Refuse (``CoalitionError``) to serve on a non-loopback address when no account exists."""
    if not is_loopback(address) and not accounts_configured(accounts_path):
        raise CoalitionError(refusal(address))


def request_is_local(headers: Mapping[str, str]) -> bool:
    """True only when a request names this computer as its host (every browser sends
    ``Host``) and did not come through a proxy; no headers, or no host, is not local."""
    lowered = {str(k).lower(): v for k, v in headers.items()}
    if any(lowered.get(name) for name in PROXY_HEADERS):
        return False
    host = lowered.get("host")
    return bool(host) and host_is_loopback(host)


def host_is_loopback(host: str) -> bool:
    """True for a Host header (or URL authority) naming this computer: ``localhost:8501``,
    ``127.0.0.1``, ``[::1]:8501``."""
    name = host.split("]")[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]
    return is_loopback(name)
