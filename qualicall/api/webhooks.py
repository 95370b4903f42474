"""Webhooks: where they may go, and how a receiver knows they come from this service.

**Targets.** A callback URL's host is resolved, and every address it resolves to must be public:
private, loopback, link-local (the cloud metadata address), shared, multicast, reserved and
unspecified addresses are refused, so that a client cannot make the service call inside its own
network. Hosts listed in `QUALICALL_WEBHOOK_ALLOWED_HOSTS` (names or addresses, as written in the
URL) are exempt: a CRM on the internal network. The check runs when a job is accepted (422) and
again at every delivery, which then connects to the very address it checked, so that a second DNS
answer (rebinding) cannot send it elsewhere. Redirects are not followed.

**Signature.** Each delivery carries `X-Qualicall-Timestamp` (Unix seconds when it was sent) and
`X-Qualicall-Signature: sha256=<hex>`, the HMAC-SHA256, keyed with the API key's webhook secret,
of the timestamp, a dot and the body's bytes. A receiver recomputes it, compares in constant time,
refuses a timestamp more than a few minutes old (a replay) and drops a `X-Qualicall-Delivery` id
it has seen (a retry of a delivery it already took).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Collection
from urllib.parse import urlsplit

from qualicall.core.errors import InputError
from qualicall.security import hmac_sha256

SIGNATURE_HEADER = "X-Qualicall-Signature"
TIMESTAMP_HEADER = "X-Qualicall-Timestamp"
DELIVERY_HEADER = "X-Qualicall-Delivery"
EVENT_HEADER = "X-Qualicall-Event"


class TargetRefused(InputError):
    """A callback URL whose host is, or resolves to, an address inside the network."""


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A public address, and so is every IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d,
    6to4 2002:AABB:CCDD::, Teredo's client). Python calls « ::7f00:1 » (127.0.0.1 inside), « 2002:a9fe:a9fe:: »
    (169.254.169.254 inside) and site-local fec0::/10 global: a security review found them accepted."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _public(ip.ipv4_mapped)
        if ip in _NAT64:  # (an IPv6-only network's way to IPv4 hosts, DNS64 answering so: the host carried decides)
            return _public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        inside = [a for a in (ip.sixtofour, ip.teredo[1] if ip.teredo else None) if a is not None]
        if int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible (deprecated)
            inside.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.is_site_local or not all(_public(a) for a in inside):
            return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def public_address(url: str, allowed_hosts: Collection[str]) -> str | None:
    """The address to connect to for `url`: one of its host's addresses, all checked public; None for a host
    listed in `allowed_hosts` (connect by name). TargetRefused otherwise, with the reason."""
    host = (urlsplit(url).hostname or "").lower()
    if host in {allowed.lower().strip("[]") for allowed in allowed_hosts}:
        return None
    try:
        infos = socket.getaddrinfo(host, urlsplit(url).port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"host {host!r} does not resolve ({exc})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not _public(ip):
            how = "is" if address == host else "resolves to"
            raise TargetRefused(f"host {host!r} {how} {ip}, an address inside the network (private, loopback or link-local): "
                                "QUALICALL_WEBHOOK_ALLOWED_HOSTS lists the internal hosts allowed")
    return addresses[0]


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The timestamp and signature headers of one delivery of `body`."""
    timestamp = str(int(time.time() if now is None else now))
    digest = hmac_sha256(secret.encode(), timestamp.encode() + b"." + body).hex()
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: f"sha256={digest}"}


def pinned_request(url: str, allowed_hosts: Collection[str]):  # type: ignore[no-untyped-def]
    """What to send a delivery to: the URL with its host replaced by the checked address, the Host header,
    and the name TLS checks the certificate against (httpx's `sni_hostname`). TargetRefused as above."""
    import httpx

    address = public_address(url, allowed_hosts)
    target = httpx.URL(url)
    if address is None:
        return target, {}, {}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return target.copy_with(host=address), {"Host": target.netloc.decode("ascii")}, extensions
